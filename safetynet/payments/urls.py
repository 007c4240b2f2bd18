from django.urls import path

from safetynet.payments import views

app_name = "payments"
urlpatterns = [
    path("", views.payroll_list, name="payrolls"),
    path("payrolls/<int:pk>/", views.payroll_detail, name="payroll"),
    path("files/<int:pk>/download/", views.bank_file_download, name="file_download"),
    path("corrections/", views.correction_list, name="corrections"),
    path("corrections/<int:pk>/fix/", views.correction_fix, name="correction_fix"),
    path("households/<int:pk>/panel/", views.household_panel, name="household_panel"),
]
