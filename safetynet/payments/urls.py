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

urlpatterns += [
    path("temporary/build/", views.temporary_payroll_build, name="temporary_build"),
    path("price-subsidy/build/", views.price_subsidy_build, name="price_subsidy_build"),
    path("report.xlsx", views.report_export, name="report_export"),
    path("temporary/", views.temporary_list, name="temporary"),
    path("standby/", views.standby_ledger, name="standby"),
]

# pa: 提标 adjustments, fraud penalties, recoveries
urlpatterns += [
    path("adjustments/", views.adjustment_list, name="adjustments"),
    path("adjustments/<int:pk>/", views.adjustment_detail, name="adjustment"),
    path("penalties/", views.penalty_list, name="penalties"),
    path("penalties/<int:pk>/", views.penalty_detail, name="penalty"),
    path("recoveries/", views.recovery_list, name="recoveries"),
]
