from .scene import patrol_scene  # noqa: F401  (the patrol tests' shared scene)
