// The boards, enhanced: drag a card (HTML5 drag and drop) and HTMX posts the move; the
// server answers with the card where it really is, which this file puts in its column (a
// refused drop snaps back). A card's title opens its moves as buttons in a dialog (the
// keyboard's way to drag). The columns refresh when anything changed (a conditional request
// every few seconds that answers 304 otherwise), keeping each column's scroll.
// New columns (a filter typed, a live refresh) never replace the old ones while a card is
// dragged or its move is on its way: they wait, and are asked for again once every move is
// answered, so a drop is never lost with the card it was made on. A move is sent from the
// board itself, which stays, and its answer finds the card again by its id, wherever it is.
// No inline script anywhere: a strict Content Security Policy comes later.
(function () {
  "use strict";

  var drag = null; // the card being dragged, and where it came from
  var pending = {}; // card id -> where it was before a drop the server has not answered
  var posted = {}; // the address a move was posted to -> its card's id
  var refilter = false; // a filter's columns were held back during a move: ask again
  var saved = null; // scroll positions across a refresh of the columns
  var opener = null; // what had the focus when the dialog opened, and its card's id
  var openerCard = "";

  function columns() {
    return document.getElementById("columns");
  }

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  function columnOf(element) {
    return element && element.closest ? element.closest(".col") : null;
  }

  function listOf(column) {
    return column.querySelector(".cards");
  }

  function moreOf(list) {
    return list.querySelector(":scope > .more");
  }

  // Column counts follow the cards at once; the next refresh brings the server's own.
  function bump(column, delta) {
    if (!column) return;
    var count = column.querySelector(".col__count");
    if (!count) return;
    count.textContent = String(Math.max(0, (parseInt(count.textContent, 10) || 0) + delta));
    var total = (parseInt(count.dataset.total, 10) || 0) + delta;
    count.dataset.total = String(total);
    var limit = parseInt(column.dataset.limit || "0", 10);
    if (limit) column.classList.toggle("col--over", total > limit);
  }

  // Without a neighbour to keep, a card arriving goes where the column's order puts the card
  // that moved last: on top of a "latest first" column, else last (before "Show more").
  function place(card, column, before) {
    var from = columnOf(card);
    var list = listOf(column);
    if (!(before && before.parentNode === list)) {
      before = column.hasAttribute("data-newest-first") ? list.firstElementChild : moreOf(list);
    }
    var focused = card.contains(document.activeElement) ? document.activeElement : null;
    list.insertBefore(card, before);
    if (focused) focused.focus(); // moving an element drops its focus: the keyboard stays on it
    if (from !== column) {
      bump(from, -1);
      bump(column, 1);
    }
  }

  function cardPk(card) {
    return card.id.split("-").pop();
  }

  // What sends a move and hears its answer: the board around the columns, never replaced.
  function mover() {
    return document.querySelector("[data-board]") || document.body;
  }

  // Cards are draggable for those who may move them (the board says so once, not per card).
  function arm() {
    var board = columns();
    if (!board || !board.hasAttribute("data-may-move")) return;
    all(".tile:not([draggable])", board).forEach(function (card) {
      card.setAttribute("draggable", "true");
    });
  }

  // A card's title opens its moves in the dialog (its link is the page without JavaScript).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".tile > a, a[data-open-card]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    if (!document.getElementById("board-dialog-body")) return;
    event.preventDefault();
    htmx.ajax("GET", link.getAttribute("href"), {
      source: link,
      target: "#board-dialog-body",
      swap: "innerHTML",
    });
  });

  // Dragging -----------------------------------------------------------------------------

  function clearDrag() {
    all(".col--target, .col--hover").forEach(function (column) {
      column.classList.remove("col--target", "col--hover");
    });
    var board = columns();
    if (board) board.classList.remove("board--dragging");
    if (drag) drag.card.classList.remove("tile--dragging");
  }

  // The drag ends on the card that was picked up, even once a refresh has taken it off the
  // page (the event then no longer reaches the document): heard on the card itself.
  function endDrag() {
    clearDrag();
    drag = null;
    catchUp();
  }

  function busy() {
    return drag !== null || Object.keys(pending).length > 0;
  }

  // Once nothing is dragged or on its way, the filters held back are applied (the form asks
  // for its columns again, as typing did); a live refresh held back comes with the next poll.
  function catchUp() {
    if (!refilter || busy()) return;
    refilter = false;
    var form = document.querySelector(".board-filters");
    if (form) htmx.trigger(form, "submit");
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".tile[draggable]");
    var board = columns();
    if (!card || !board || !board.contains(card) || pending[card.id]) return;
    var column = columnOf(card);
    drag = { card: card, status: column.dataset.status };
    card.addEventListener("dragend", endDrag, { once: true });
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
    if (event.dataTransfer.setDragImage) event.dataTransfer.setDragImage(card, 16, 16);
    card.classList.add("tile--dragging");
    board.classList.add("board--dragging");
    var targets = (column.dataset.targets || "").split(" ");
    all(".col", board).forEach(function (other) {
      if (targets.indexOf(other.dataset.status) >= 0) other.classList.add("col--target");
    });
  });

  document.addEventListener("dragover", function (event) {
    var column = drag && columnOf(event.target);
    if (!column || !columns().contains(column)) return;
    // Every column takes the drop: the server says why a move is not possible.
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    all(".col--hover").forEach(function (other) {
      if (other !== column) other.classList.remove("col--hover");
    });
    column.classList.add("col--hover");
  });

  document.addEventListener("drop", function (event) {
    var column = drag && columnOf(event.target);
    if (!column || !columns().contains(column)) return;
    event.preventDefault();
    var moving = drag;
    clearDrag();
    drag = null;
    var target = column.dataset.status;
    if (target === moving.status) return;
    // The columns may have been refreshed during the drag: move the card shown now.
    var card = document.getElementById(moving.card.id);
    if (!card || !columns().contains(card) || pending[card.id]) card = moving.card;
    var here = columnOf(card);
    pending[card.id] = {
      status: here && document.contains(here) ? here.dataset.status : moving.status,
      list: card.parentNode,
      next: card.nextSibling,
    };
    place(card, column);
    card.classList.add("tile--pending");
    var url = columns().dataset.moveUrl.replace("/0/", "/" + cardPk(card) + "/");
    posted[url] = card.id;
    htmx.ajax("POST", url, {
      source: mover(),
      swap: "none",
      values: { from: moving.status, to: target },
    });
  });

  // Where the server says a card is ---------------------------------------------------------

  function relocate(card) {
    var want = card.dataset.status;
    card.removeAttribute("data-status");
    card.classList.remove("tile--pending");
    var origin = pending[card.id];
    delete pending[card.id];
    var here = columnOf(card);
    if (here && here.dataset.status === want) return;
    if (origin && origin.status === want && document.contains(origin.list)) {
      place(card, columnOf(origin.list), origin.next); // refused: back where it was
      return;
    }
    var column = document.getElementById("col-" + want);
    if (column) {
      place(card, column);
    } else {
      bump(here, -1);
      card.remove();
    }
  }

  // A card new to the board (a Classified Ops story just opened): counted in, in its place.
  function arrive(card) {
    card.removeAttribute("data-arrived");
    var column = columnOf(card);
    if (!column) return;
    place(card, column);
    bump(column, 1);
  }

  // An answered move whose card the answer did not place (a refresh took the card off the
  // board: it no longer matches the filters) is over all the same.
  function forgetAnswered() {
    Object.keys(pending).forEach(function (id) {
      if (!pending[id].answered) return;
      delete pending[id];
      var card = document.getElementById(id);
      if (card) card.classList.remove("tile--pending");
    });
  }

  document.body.addEventListener("htmx:afterSettle", function () {
    all(".tile[data-arrived]").forEach(arrive);
    all(".tile[data-status]").forEach(relocate);
    forgetAnswered();
    arm();
    syncDialog();
    catchUp();
  });

  // A refresh that found nothing new (304) changes nothing; refusals, which carry the card
  // and the message to show, are swapped in (portal.js).
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 304) {
      event.detail.shouldSwap = false;
      return;
    }
    var target = event.detail.target;
    if (event.detail.shouldSwap && target && target.id === "columns" && busy()) {
      event.detail.shouldSwap = false; // see the top of this file
      var from = event.detail.requestConfig && event.detail.requestConfig.elt;
      if (from && from.closest && from.closest(".board-filters")) refilter = true;
      return;
    }
    if (event.detail.shouldSwap && target && target.id === "columns") {
      saved = { left: target.scrollLeft, tops: {} };
      all(".col", target).forEach(function (column) {
        saved.tops[column.dataset.status] = listOf(column).scrollTop;
      });
    }
  });

  // A move's request is over. Answered (a success, or a refusal with its card and message,
  // swapped in as portal.js decides): the answer's card settles where the server says. Not
  // answered (an error, no connection): the card goes back where it was, and the board says
  // so. Either way the card is no longer pending, so the live refresh goes on.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var path = event.detail.pathInfo && event.detail.pathInfo.requestPath;
    var id = path && posted[path];
    if (!id || event.detail.elt !== mover()) return;
    delete posted[path];
    var move = pending[id];
    if (!move) return;
    if (event.detail.successful) {
      // Its card settles next; a card no longer on the board has nothing to settle.
      if (document.getElementById(id)) move.answered = true;
      else delete pending[id];
      return;
    }
    var card = document.getElementById(id);
    if (card) {
      card.dataset.status = move.status;
      relocate(card);
    }
    delete pending[id];
    var message = document.getElementById("board-message");
    if (message) {
      message.innerHTML =
        '<div class="notice notice--error" role="alert"><p>The move did not reach the portal; the card is back where it was. Try again.</p></div>';
    }
    catchUp();
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var board = columns();
    if (saved && board && event.detail.target && event.detail.target.id === "columns") {
      board.scrollLeft = saved.left;
      all(".col", board).forEach(function (column) {
        var top = saved.tops[column.dataset.status];
        if (top) listOf(column).scrollTop = top;
      });
      saved = null;
    }
    arm();
    syncDialog();
  });

  // Live: ask whether anything changed, unless the person is in the middle of something.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var live = event.detail.elt;
    if (!live || live.id !== "board-live") return;
    var dialog = document.getElementById("board-dialog");
    if (drag || Object.keys(pending).length || (dialog && dialog.open) || document.hidden) {
      event.preventDefault();
      return;
    }
    if (live.dataset.etag) event.detail.headers["If-None-Match"] = live.dataset.etag;
    var size = parseInt(columns().dataset.pageSize || "50", 10);
    all(".col", columns()).forEach(function (column) {
      var loaded = listOf(column).querySelectorAll(":scope > .tile").length;
      if (loaded > size) event.detail.parameters["n_" + column.dataset.status] = loaded;
    });
  });

  // The card's dialog ----------------------------------------------------------------------------

  function syncDialog() {
    var dialog = document.getElementById("board-dialog");
    var body = document.getElementById("board-dialog-body");
    if (!dialog || !body) return;
    var full = body.children.length > 0;
    if (full && !dialog.open) {
      opener = document.activeElement;
      var tile = opener && opener.closest ? opener.closest(".tile") : null;
      openerCard = tile ? tile.id : "";
      dialog.showModal();
      var focus = body.querySelector("[autofocus]") || body.querySelector(".panel__title");
      if (focus) {
        if (!focus.hasAttribute("tabindex") && focus.classList.contains("panel__title")) {
          focus.setAttribute("tabindex", "-1");
        }
        focus.focus();
      }
    } else if (!full && dialog.open) {
      dialog.close();
    }
  }

  document.addEventListener(
    "close",
    function (event) {
      if (event.target.id !== "board-dialog") return;
      var body = document.getElementById("board-dialog-body");
      if (body) body.innerHTML = "";
      // Back to what opened it; a card the move replaced is found again by its id.
      var card = openerCard && document.getElementById(openerCard);
      if (opener && document.contains(opener)) opener.focus();
      else if (card) card.querySelector("a").focus();
      opener = null;
      openerCard = "";
    },
    true
  );

  // Messages ------------------------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest && event.target.closest("[data-dismiss]");
    if (dismiss) dismiss.closest(".notice").remove();
  });

  arm();

  var fading = null;
  document.body.addEventListener("htmx:oobAfterSwap", function (event) {
    var message = event.detail.target;
    if (!message || message.id !== "board-message") return;
    // A refusal is also said at once to those who listen (the region is polite otherwise).
    var refusal = message.querySelector(".notice--error");
    if (refusal) refusal.setAttribute("role", "alert");
    clearTimeout(fading);
    fading = setTimeout(function () {
      var current = document.getElementById("board-message");
      var success = current && current.querySelector(".notice--success");
      if (success) success.remove();
    }, 8000);
  });
})();
