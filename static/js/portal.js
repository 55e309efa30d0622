// Progressive enhancement only: every page works without this file.
// Marks the page as scripted, so controls that only serve browsers without JavaScript
// (such as "Update the form") can be hidden by the stylesheet.
document.documentElement.classList.add("js");
