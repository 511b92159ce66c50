from django.urls import path

from yinling.campus import views_teaching as t
from yinling.campus import views_teaching_member as m
from yinling.campus import views_teaching_reports as r

# The teaching half: attendance and certificates (staff and teachers), the student's pages, lessons, reports.
urlpatterns = [
    # The teacher's phone and the registrars' planning.
    path("teaching/today/", t.today, name="teaching_today"),
    path("teaching/sections/<int:pk>/meetings/", t.section_meetings, name="section_meetings"),
    path("teaching/sections/<int:pk>/meetings/generate/", t.section_generate, name="section_generate"),
    path("teaching/sections/<int:pk>/students/", t.section_students, name="section_students"),
    path("teaching/sections/<int:pk>/certificates/", t.section_certificate, name="section_certificate"),
    path("teaching/meetings/<int:pk>/", t.meeting_roll, name="meeting_roll"),
    path("teaching/meetings/<int:pk>/mark/", t.meeting_mark, name="meeting_mark"),
    path("teaching/meetings/<int:pk>/code/", t.meeting_code, name="meeting_code"),
    path("teaching/meetings/<int:pk>/cancel/", t.meeting_cancel, name="meeting_cancel"),
    path("teaching/certificates/<int:pk>/pdf/", t.certificate_pdf, name="certificate_pdf"),
    # Staff: lessons, teacher hours, the course report.
    path("teaching/lessons/", r.lesson_list, name="lesson_list"),
    path("teaching/lessons/add/", r.lesson_add, name="lesson_add"),
    path("teaching/lessons/<int:pk>/remove/", r.lesson_remove, name="lesson_remove"),
    path("teaching/hours/", r.teacher_hours, name="teacher_hours"),
    path("teaching/hours.xlsx", r.teacher_hours_xlsx, name="teacher_hours_xlsx"),
    path("teaching/report/", r.course_report, name="course_report"),
    path("teaching/report.xlsx", r.course_report_xlsx, name="course_report_xlsx"),
    # The student's pages.
    path("me/checkin/", m.checkin_today, name="checkin_today"),
    path("me/checkin/<int:pk>/", m.meeting_checkin, name="meeting_checkin"),
    path("me/lessons/", m.my_lessons, name="my_lessons"),
    path("me/timetable/", m.live_timetable, name="live_timetable"),
    path("me/certificates/", m.my_certificates, name="my_certificates"),
    path("me/certificates/<int:pk>/", m.my_certificate_take, name="my_certificate_take"),
    path("lessons/<int:pk>/", m.lesson_watch, name="lesson_watch"),
    path("lessons/<int:pk>/video/", m.lesson_video, name="lesson_video"),
    path("lessons/<int:pk>/watched/", m.lesson_watched, name="lesson_watched"),
    # Public: check a certificate's code.
    path("certificates/check/", m.certificate_verify, name="certificate_verify"),
]
