from django.urls import path

from punkt.cashdesk import views

app_name = "cashdesk"

urlpatterns = [
    path("", views.till, name="till"),
    path("cash/", views.cash, name="cash"),
    path("close/", views.close, name="close"),
    path("invoices/import/", views.invoice_imports, name="invoice_imports"),
    path("invoices/import/wzor.csv", views.invoice_import_sample, name="invoice_import_sample"),
    path("invoices/import/<int:import_id>/", views.invoice_import, name="invoice_import"),
    path("invoices/<int:invoice_id>/", views.invoice, name="invoice"),
    path("invoices/<int:invoice_id>/pay/", views.pay, name="pay"),
    path("invoices/<int:invoice_id>/credit/", views.settle_credit, name="settle_credit"),
    path("credit-uses/<int:use_id>/undo/", views.credit_undo, name="credit_undo"),
    path("customers/<int:customer_id>/refund/", views.refund, name="refund"),
    path("refunds/<int:refund_id>/kw/", views.kw, name="kw"),
    path("invoices/<int:invoice_id>/duplicate/", views.duplicate, name="duplicate"),
    path("payments/<int:payment_id>/kp/", views.kp, name="kp"),
    path("payments/<int:payment_id>/reverse/", views.reverse, name="reverse"),
    path("tills/", views.till_list, name="till_list"),
    path("takings/", views.takings, name="takings"),
    path("tills/<int:session_id>/", views.till_detail, name="till_detail"),
    path("tills/<int:session_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("tills/<int:session_id>/report/", views.cash_report, name="cash_report"),
]
