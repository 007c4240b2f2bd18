from django.urls import path

from safetynet.verification import views

app_name = "verification"
urlpatterns: list = [
    path("", views.run_list, name="runs"),
    path("runs/new/", views.run_create, name="run_create"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/resume/", views.run_resume, name="run_resume"),
    path("runs/<int:run_pk>/households/<int:household_pk>/", views.report_household, name="report_household"),
    path("runs/<int:pk>/candidates/", views.candidates, name="candidates"),
    path("candidates/<int:pk>/decide/", views.candidate_decide, name="candidate_decide"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("authorisations/", views.authorisations, name="authorisations"),
    path("queries/", views.query_log, name="queries"),
]
