from tests.conftest import make_asset


def test_marketer_asset_is_on_board_for_rep(client_as, users):
    make_asset(users["marketer"], "CFO ROI one-pager", stages=("decision",))
    page = client_as("rep").get("/library")
    assert page.status_code == 200
    assert "CFO ROI one-pager" in page.text
