"""The site's ordinary HTTP side (in the post: the blog pages and the notes endpoint its JavaScript POSTs to).
It stays on Django when /inform moves to Tidings."""
from pathlib import Path

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import ensure_csrf_cookie

PAGE = Path(__file__).with_name("inform.html")


@ensure_csrf_cookie
def index(request):
    return HttpResponse(PAGE.read_text(encoding="utf-8"))


def notes(request):
    """Stands in for the post's notes endpoint (POST, CSRF-checked): the stored notes of a user."""
    if request.method != "POST":
        return JsonResponse({"error": "POST only"}, status=405)
    return JsonResponse({"username": request.POST.get("username", ""), "notes": []})
