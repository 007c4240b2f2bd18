from django.urls import path

from safetynet.applications import views

app_name = "applications"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("supervision/", views.supervision, name="supervision"),
    path("new/", views.application_new, name="application_new"),
    path("apply/", views.self_apply, name="self_apply"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/act/<str:action>/", views.case_act, name="case_act"),
    path("cases/<int:pk>/record/<str:what>/", views.case_record, name="case_record"),
    path("cases/<int:pk>/file.pdf", views.case_file, name="case_file"),
    path("cases/<int:pk>/letter/", views.letter_regenerate, name="letter_regenerate"),
    path("documents/<int:pk>/", views.document_view, name="document"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("notices/<int:pk>/close/", views.notice_close, name="notice_close"),
    path("notices/lines/<int:pk>/objection/", views.objection_new, name="objection_new"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("relatives/", views.relatives, name="relatives"),
    path("spot-checks/", views.spot_check_list, name="spot_check_list"),
    path("spot-checks/<int:pk>/", views.spot_check_detail, name="spot_check_detail"),
]
