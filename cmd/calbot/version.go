package main

import (
	"runtime"
	"runtime/debug"
)

// buildVersion and buildRevision are stamped by deploy/build.sh with
// -ldflags -X when the build has no version control information of its own
// (a Docker build context holds no .git). They win over the build info.
var buildVersion, buildRevision string

// version is calbot's version as the build recorded it: the module version
// (or a stamped one) and the VCS revision, marked when the tree had local
// changes, e.g. "v1.2.0 (revision 4cca5ce0…, with local changes)".
func version() string {
	v, rev, modified := buildVersion, buildRevision, false
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" {
					rev = s.Value
				}
			case "vcs.modified":
				modified = buildRevision == "" && s.Value == "true"
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	switch {
	case rev == "":
		return v + " (no revision recorded)"
	case modified:
		return v + " (revision " + rev + ", with local changes)"
	}
	return v + " (revision " + rev + ")"
}

// versionLine is what `calbot version` prints.
func versionLine() string {
	return "calbot " + version() + ", built with " + runtime.Version() + " for " + runtime.GOOS + "/" + runtime.GOARCH
}
