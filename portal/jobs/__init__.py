"""Background jobs for admins and operators: the failed-jobs page, and the `worker`,
`scheduler` and `jobs` commands."""
