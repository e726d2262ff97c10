"""Pages that gather figures from every app: the home page by role."""
