from django.urls import path

from . import team_views, views

urlpatterns = [
    path("sessions/<slug:slug>/", views.session_type, name="session_type"),
    path("guide/", views.guide, name="guide"),
    path("contact/", views.contact, name="contact"),
    path("contact/thanks/", views.contact_thanks, name="contact_thanks"),
    path("book/", views.book, name="book"),
    path("book/times/", views.free_times, name="free_times"),
    path("book/times/calendar/", views.booking_calendar, name="booking_calendar"),
    path("book/requested/<str:token>/", views.booking_requested, name="booking_requested"),
    path("bookings/<str:token>/", views.manage_booking, name="manage_booking"),
    path("bookings/<str:token>/reschedule/", views.reschedule_booking, name="reschedule_booking"),
    path("bookings/<str:token>/cancel/", views.cancel_booking, name="cancel_booking"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    # Team days: each person's link, and the coordinator's.
    path("team/<str:token>/", team_views.member_page, name="team_member"),
    path("team/day/<str:token>/", team_views.coordinator_page, name="team_coordinator"),
    path("team/day/<str:token>/schedule.csv", team_views.schedule_csv, name="team_schedule_csv"),
    path("team/day/<str:token>/schedule.ics", team_views.schedule_ics, name="team_schedule_ics"),
]
