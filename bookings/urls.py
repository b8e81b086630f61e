from django.urls import path

from . import team_views, views, waitlist_views

urlpatterns = [
    path("sessions/<slug:slug>/", views.session_type, name="session_type"),
    path("guide/", views.guide, name="guide"),
    path("contact/", views.contact, name="contact"),
    path("contact/thanks/", views.contact_thanks, name="contact_thanks"),
    path("book/", views.book, name="book"),
    path("book/times/", views.free_times, name="free_times"),
    path("book/times/calendar/", views.booking_calendar, name="booking_calendar"),
    path("book/terms/<int:pk>/", views.terms_page, name="terms"),
    path("book/requested/<str:token>/", views.booking_requested, name="booking_requested"),
    path("bookings/<str:token>/", views.manage_booking, name="manage_booking"),
    path("bookings/<str:token>/reschedule/", views.reschedule_booking, name="reschedule_booking"),
    path("bookings/<str:token>/cancel/", views.cancel_booking, name="cancel_booking"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("book/waitlist/", waitlist_views.join_waitlist, name="join_waitlist"),
    path("waitlist/offers/<str:token>/", waitlist_views.waitlist_offer, name="waitlist_offer"),
    path("waitlist/<str:token>/", waitlist_views.waitlist_entry, name="waitlist_entry"),
    path("waitlist/<str:token>/leave/", waitlist_views.leave_waitlist, name="leave_waitlist"),
    path("bookings/<str:token>/deposit/", views.pay_deposit, name="pay_deposit"),
    path("payments/<uuid:token>/return/", views.payment_return, name="payment_return"),
    path("payments/process/<uuid:token>/", views.payment_process, name="process_payment"),
    path("payments/webhook/<str:variant>/", views.payment_webhook, name="payment_webhook"),
    # Team days: each person's link, and the coordinator's.
    path("team/<str:token>/", team_views.member_page, name="team_member"),
    path("team/day/<str:token>/", team_views.coordinator_page, name="team_coordinator"),
    path("team/day/<str:token>/schedule.csv", team_views.schedule_csv, name="team_schedule_csv"),
    path("team/day/<str:token>/schedule.ics", team_views.schedule_ics, name="team_schedule_ics"),
]
