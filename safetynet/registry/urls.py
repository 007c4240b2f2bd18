from django.urls import path

from safetynet.registry import import_views, views

app_name = "registry"
urlpatterns = [
    path("import/", import_views.import_upload, name="import"),
    path("import/template.<str:fmt>", import_views.import_template, name="import_template"),
    path("import/<int:job_id>/errors.xlsx", import_views.import_errors, name="import_errors"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/members/new/", views.member_add, name="member_add"),
    path("households/<int:pk>/supporters/new/", views.supporter_add, name="supporter_add"),
    path("households/<int:pk>/declarations/<str:what>/new/", views.declaration_add, name="declaration_add"),
    path("memberships/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("memberships/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("reveal/<str:kind>/<int:pk>/<str:field>/", views.reveal, name="reveal"),
]
