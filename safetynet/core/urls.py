from django.http import HttpResponse
from django.urls import path

app_name = "core"


def _home(request):
    return HttpResponse("SafetyNet")


urlpatterns = [path("", _home, name="home")]
