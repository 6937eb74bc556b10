"""Proximity of typed words, as the Whoosh backend scores it (search.proximity)."""

from search.proximity import NEAR, near_pairs, nearest, proximity_factor


def test_nearest_is_the_smallest_distance_between_two_sorted_position_lists():
    assert nearest([1, 9, 30], [14, 28]) == 2
    assert nearest([5], [5]) == 0
    assert nearest([], [3]) is None


def test_a_pair_counts_once_when_it_is_near_in_any_field():
    title = [[0], [1], []]  # words 1 and 2 side by side, word 3 absent
    body = [[3], [40], [3 + NEAR]]
    assert near_pairs([title, body]) == 1
    assert near_pairs([[[0], [1], [2]], body]) == 2
    assert near_pairs([[[0], [1 + NEAR + 1], [50]]]) == 0


def test_the_factor_grows_with_the_share_of_near_pairs_and_one_word_gets_none():
    assert proximity_factor(0, 2) == 1.0
    assert proximity_factor(1, 2) < proximity_factor(2, 2)
    assert proximity_factor(0, 0) == 1.0
