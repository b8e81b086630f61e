"""The "which do I need?" guide: every answer combination, the rules, and the page."""

import itertools

import pytest

from bookings.guide import Kind, People, Place, Purpose, ShowWork, recommend
from tests.factories import make_session_type


def expected_kind(purpose: Purpose, show_work: ShowWork) -> Kind:
    if purpose is Purpose.EVERYTHING:
        return Kind.BOTH
    if purpose is Purpose.BRAND:
        return Kind.PORTRAIT
    return Kind.BOTH if show_work is ShowWork.YES else Kind.HEADSHOT


ALL_ANSWERS = list(itertools.product(Purpose, ShowWork, Place, People))


@pytest.mark.parametrize(("purpose", "show_work", "place", "people"), ALL_ANSWERS)
def test_every_combination_of_answers_gets_the_right_kind_with_reasons(purpose, show_work, place, people):
    result = recommend(purpose, show_work, place, people)

    assert result.kind is expected_kind(purpose, show_work)
    assert result.reasons, "a recommendation always says why"
    assert all(r.endswith(".") and len(r) > 30 for r in result.reasons)


@pytest.mark.parametrize(("place", "people"), list(itertools.product(Place, People)))
def test_a_profile_photo_for_one_person_is_a_headshot_because_of_linkedin(place, people):
    result = recommend(Purpose.PROFILE, ShowWork.NO, place, people)

    assert result.kind is Kind.HEADSHOT
    assert "LinkedIn" in result.reasons[0]


def test_press_and_speaking_needs_a_headshot():
    result = recommend(Purpose.PRESS, ShowWork.NO, Place.NO_PREFERENCE, People.ONE)

    assert result.kind is Kind.HEADSHOT
    assert "Press releases" in result.reasons[0]


def test_a_website_or_brand_story_needs_portraits():
    result = recommend(Purpose.BRAND, ShowWork.NO, Place.STUDIO, People.ONE)

    assert result.kind is Kind.PORTRAIT
    assert "story" in result.reasons[0]
    assert "props" in result.reasons[1]


def test_wanting_to_show_your_work_adds_portraits_to_a_headshot():
    result = recommend(Purpose.PROFILE, ShowWork.YES, Place.NO_PREFERENCE, People.ONE)

    assert result.kind is Kind.BOTH
    assert "show where and how you work" in result.reasons[1]


def test_a_bit_of_everything_is_both():
    assert recommend(Purpose.EVERYTHING, ShowWork.NO, Place.STUDIO, People.ONE).kind is Kind.BOTH


def test_a_headshot_at_the_workplace_comes_with_a_backdrop():
    result = recommend(Purpose.PROFILE, ShowWork.NO, Place.WORKPLACE, People.ONE)

    assert any("bring a backdrop" in r for r in result.reasons)


def test_a_team_hears_about_consistent_headshots_and_a_big_one_about_coming_to_them():
    few = recommend(Purpose.PROFILE, ShowWork.NO, Place.STUDIO, People.FEW)
    many = recommend(Purpose.PROFILE, ShowWork.NO, Place.STUDIO, People.MANY)

    assert any("consistent" in r for r in few.reasons)
    assert not any("six or more" in r for r in few.reasons)
    assert any("six or more" in r for r in many.reasons)


def test_one_person_with_no_preference_gets_no_extra_reasons():
    result = recommend(Purpose.PROFILE, ShowWork.NO, Place.NO_PREFERENCE, People.ONE)

    assert len(result.reasons) == 1


# --- the page ---


@pytest.mark.django_db
def test_the_guide_page_asks_the_questions_without_a_recommendation(client):
    response = client.get("/guide/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "What are the photos for?" in html
    assert "We recommend" not in html


@pytest.mark.django_db
def test_answers_show_the_recommendation_and_a_button_that_books_it(client):
    make_session_type(kind="headshot", slug="headshot")
    portrait = make_session_type(kind="portrait", slug="portrait-session")

    response = client.get("/guide/", {"purpose": "brand", "show_work": "yes", "place": "workplace", "people": "1"})

    html = response.content.decode()
    assert "We recommend: a portrait session" in html
    # "At my workplace" carries into the booking form as on location.
    assert f'href="/book/?type={portrait.slug}&amp;location=on_location"' in html


@pytest.mark.django_db
def test_the_studio_answer_books_the_session_without_a_place_chosen(client):
    portrait = make_session_type(kind="portrait", slug="portrait-session")

    response = client.get("/guide/", {"purpose": "brand", "show_work": "yes", "place": "studio", "people": "1"})

    assert f'href="/book/?type={portrait.slug}"' in response.content.decode()


@pytest.mark.django_db
def test_a_session_held_only_in_the_studio_is_not_offered_on_location(client):
    portrait = make_session_type(kind="portrait", slug="portrait-session", location="studio")

    response = client.get("/guide/", {"purpose": "brand", "show_work": "yes", "place": "workplace", "people": "1"})

    assert f'href="/book/?type={portrait.slug}"' in response.content.decode()


@pytest.mark.django_db
def test_the_recommended_kind_is_found_only_among_active_session_types(client):
    make_session_type(kind="headshot", slug="old-headshot", is_active=False)

    response = client.get("/guide/", {"purpose": "profile", "show_work": "no", "place": "studio", "people": "1"})

    html = response.content.decode()
    assert "We recommend: a headshot session" in html
    assert "old-headshot" not in html
    assert "can't be booked online right now" in html


@pytest.mark.django_db
def test_incomplete_or_forged_answers_get_field_errors_not_a_crash(client):
    response = client.get("/guide/", {"purpose": "profile", "people": "<script>alert(1)</script>"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert "Select a valid choice." in html
    assert "<script>alert(1)</script>" not in html
    assert "We recommend" not in html
