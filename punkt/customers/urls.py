from django.urls import path

from punkt.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("new/", views.customer_create, name="customer_create"),
    path("<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:customer_id>/tabs/<slug:tab>/", views.customer_tab, name="customer_tab"),
    path("<int:customer_id>/notes/", views.note_add, name="note_add"),
    path("<int:customer_id>/contacts/log/", views.contact_log, name="contact_log"),
    path("<int:customer_id>/consents/", views.consent_change, name="consent_change"),
    path("<int:customer_id>/contacts/", views.contact_add, name="contact_add"),
    path("<int:customer_id>/contacts/<int:contact_id>/delete/", views.contact_remove,
         name="contact_remove"),
    path("information-clause/<int:branch_id>/", views.information_clause,
         name="information_clause"),
]

urlpatterns += [
    path("export/", views.customer_export, name="customer_export"),
    path("import/", views.import_start, name="import_start"),
    path("import/<int:import_id>/", views.import_detail, name="import_detail"),
    path("<int:customer_id>/gdpr/", views.gdpr, name="gdpr"),
    path("<int:customer_id>/gdpr/export/", views.gdpr_export, name="gdpr_export"),
    path("<int:customer_id>/merge/", views.merge, name="merge"),
    path("<int:customer_id>/recommendation/", views.recommendation_edit,
         name="recommendation_edit"),
    path("<int:customer_id>/merge/<int:record_id>/undo/", views.unmerge, name="unmerge"),
    path("data-requests/", views.data_requests, name="data_requests"),
    path("data-requests/sender/", views.sender_erase, name="sender_erase"),
]
