from django.urls import path

from safetynet.eligibility import views

app_name = "eligibility"
urlpatterns = [
    path("households/<int:pk>/evaluation/", views.household_evaluation_panel, name="household_evaluation"),
    path("standards/", views.standards_page, name="standards"),
    path("standards/<int:pk>/decide/", views.standard_decide_view, name="standard_decide"),
    path("scenarios/", views.scenario_list, name="scenarios"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario_detail"),
    path("runs/", views.run_list, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/households/<int:household_id>/", views.run_household, name="run_household"),
]
