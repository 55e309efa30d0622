"""The demo's data (`manage.py seed_demo`): its moved-back clock and its season of history."""
