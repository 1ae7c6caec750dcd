"""`python3 manage.py send_inform FUNC USERNAME ARTICLE HEAD_IMAGE [TRIGGER_USERNAME] [--group G]`: what the
blog's "a comment was posted" view does, from the command line."""
from django.core.management.base import BaseCommand

from mainsite.consumers import send_inform


class Command(BaseCommand):
    help = "Push an inform to the yunbo_inform group through the channel layer (the post's send_inform)."

    def add_arguments(self, parser):
        for name in ("func", "username", "article", "head_image"):
            parser.add_argument(name)
        parser.add_argument("trigger_username", nargs="?")
        parser.add_argument("--group", default=None)
        parser.add_argument("--count", type=int, default=1, help="send this many times (for measurements)")

    def handle(self, *args, **options):
        for _ in range(options["count"]):
            send_inform(options["func"], options["username"], options["article"], options["head_image"],
                        options["trigger_username"], options["group"])
        self.stdout.write("sent %d" % options["count"])
