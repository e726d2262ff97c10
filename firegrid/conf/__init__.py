"""Parts of the settings (firegrid/settings.py imports them): each a group of related knobs read from the
environment, kept apart so the settings module stays readable."""
