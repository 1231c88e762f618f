# SARIF from `conduit check --format sarif` to GitLab's code quality report
# (a JSON array of issues): jq -f scripts/sarif-to-codequality.jq conduit.sarif
# Results without a location (I/O problems) have no place in that report.
[
  .runs[0].results[]
  | select(.locations)
  | {
      description: (.ruleId + ": " + (.message.text | split("\n")[0])),
      check_name: .ruleId,
      fingerprint: .partialFingerprints["conduitFinding/v1"],
      severity: ({"error": "major", "warning": "minor", "note": "info"}[.level] // "info"),
      location: {
        path: .locations[0].physicalLocation.artifactLocation.uri,
        lines: { begin: .locations[0].physicalLocation.region.startLine }
      }
    }
]
