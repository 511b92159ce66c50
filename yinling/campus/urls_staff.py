"""The registrars' desk (staff pages), under /campus/desk/ in the "campus" namespace."""

from django.urls import path

from yinling.campus import views_staff as catalogue
from yinling.campus import views_staff_people as people
from yinling.campus import views_staff_sections as sections
from yinling.campus import views_staff_terms as terms

urlpatterns = [
    path("desk/schools/", catalogue.SchoolListView.as_view(), name="school_list"),
    path("desk/schools/add/", catalogue.SchoolEditView.as_view(), name="school_add"),
    path("desk/schools/<int:pk>/", catalogue.SchoolDetailView.as_view(), name="school_detail"),
    path("desk/schools/<int:pk>/edit/", catalogue.SchoolEditView.as_view(), name="school_edit"),
    path("desk/sites/", catalogue.SiteListView.as_view(), name="site_list"),
    path("desk/sites/add/", catalogue.SiteEditView.as_view(), name="site_add"),
    path("desk/sites/<int:pk>/", catalogue.SiteDetailView.as_view(), name="site_detail"),
    path("desk/sites/<int:pk>/edit/", catalogue.SiteEditView.as_view(), name="site_edit"),
    path("desk/courses/", catalogue.CourseListView.as_view(), name="course_list"),
    path("desk/courses/add/", catalogue.CourseEditView.as_view(), name="course_add"),
    path("desk/courses/<int:pk>/", catalogue.CourseDetailView.as_view(), name="course_detail"),
    path("desk/courses/<int:pk>/edit/", catalogue.CourseEditView.as_view(), name="course_edit"),
    path("desk/terms/", terms.TermListView.as_view(), name="term_list"),
    path("desk/terms/add/", terms.TermAddView.as_view(), name="term_add"),
    path("desk/terms/<int:pk>/", terms.TermDetailView.as_view(), name="term_detail"),
    path("desk/terms/<int:pk>/draw/", terms.term_draw, name="term_draw"),
    path("desk/classes/", sections.SectionListView.as_view(), name="section_list"),
    path("desk/classes/add/", sections.SectionEditView.as_view(), name="section_add"),
    path("desk/classes/<int:pk>/", sections.section_detail, name="section_detail"),
    path("desk/classes/<int:pk>/edit/", sections.SectionEditView.as_view(), name="section_edit"),
    path("desk/classes/<int:pk>/enrol/", sections.section_enrol, name="section_enrol"),
    path("desk/classes/<int:pk>/enrolments/<int:epk>/fee/", sections.section_fee, name="section_fee"),
    path("desk/classes/<int:pk>/enrolments/<int:epk>/withdraw/", sections.section_withdraw, name="section_withdraw"),
    path("desk/enrolments/", people.EnrolmentListView.as_view(), name="enrolment_list"),
    path("desk/pledges/", people.PledgeListView.as_view(), name="pledge_list"),
    path("desk/pledges/add/", people.PledgeEditView.as_view(), name="pledge_add"),
    path("desk/pledges/<int:pk>/", people.PledgeDetailView.as_view(), name="pledge_detail"),
    path("desk/pledges/<int:pk>/edit/", people.PledgeEditView.as_view(), name="pledge_edit"),
]
