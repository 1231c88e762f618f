#!/usr/bin/env bash
# Posts a report as a pull-request comment, or updates the comment this
# script posted before, so a pull request carries one conduit comment that
# follows its latest push instead of a new one per push.
#
#   scripts/ci-comment.sh BODY_FILE
#
# Environment: GITHUB_REPOSITORY (owner/name), PR_NUMBER (the pull
# request), GH_TOKEN (a token allowed to write pull-request comments, read
# by `gh`), optional CONDUIT_COMMENT_MARKER (default
# `<!-- conduit-diff -->`). Needs `gh` (preinstalled on GitHub runners).
#
# The comment to update is the first one written by a bot account whose
# body starts with the marker: a comment someone else wrote with the
# marker in it is never edited.
set -euo pipefail

body_file="${1:?usage: ci-comment.sh BODY_FILE}"
repo="${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}"
pr="${PR_NUMBER:?PR_NUMBER is not set}"
marker="${CONDUIT_COMMENT_MARKER:-<!-- conduit-diff -->}"

case "$pr" in
    '' | *[!0-9]*) echo "ci-comment.sh: PR_NUMBER must be a number, got '$pr'" >&2; exit 2 ;;
esac
case "$repo" in
    */*) ;;
    *) echo "ci-comment.sh: GITHUB_REPOSITORY must be owner/name, got '$repo'" >&2; exit 2 ;;
esac
[ -r "$body_file" ] || { echo "ci-comment.sh: cannot read $body_file" >&2; exit 2; }

tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
{ printf '%s\n' "$marker"; cat "$body_file"; } > "$tmp"

# jq gets the marker as data (--arg), never as filter text.
filter='[.[] | select(.user.type == "Bot" and (.body | startswith($m)))][0].id // empty'
existing="$(gh api --paginate "repos/$repo/issues/$pr/comments" \
    | jq -rs --arg m "$marker" "add // [] | $filter")"

if [ -n "$existing" ]; then
    gh api --method PATCH "repos/$repo/issues/comments/$existing" -F "body=@$tmp" > /dev/null
    echo "updated comment $existing on $repo#$pr"
else
    gh api --method POST "repos/$repo/issues/$pr/comments" -F "body=@$tmp" > /dev/null
    echo "posted a comment on $repo#$pr"
fi
