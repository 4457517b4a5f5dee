package main

import (
	"io"
	"text/tabwriter"

	"github.com/kelseyhightower/envconfig"
)

const usageFormat = `Environment:
KEY	DEFAULT	MEANING
{{range .}}{{usage_key .}}	{{usage_default .}}	{{usage_description .}}
{{end}}`

// envconfigUsage prints the table of variables from the env struct's tags,
// so it cannot drift from what is read.
func envconfigUsage(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 1, 0, 2, ' ', 0)
	if err := envconfig.Usagef("", &env{}, tw, usageFormat); err != nil {
		return err
	}
	return tw.Flush()
}
