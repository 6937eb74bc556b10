""" "My work": what each person has to do next, whatever their team."""
