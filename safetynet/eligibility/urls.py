from django.urls import path

from safetynet.eligibility import views

app_name = "eligibility"
urlpatterns = [
    path("households/<int:pk>/evaluation/", views.household_evaluation_panel, name="household_evaluation"),
]
