from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo district behind `firegrid demo` and `firegrid demo_logins` (its management commands).

    An app only so that it owns those commands: it has no models. It reads every other app, so it sits on
    top of the layers; nothing imports it.
    """

    name = "firegrid.demo"
    label = "demo"
