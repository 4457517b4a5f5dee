package calendarfake

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// selection is a parsed partial-response "fields" parameter: the names it
// keeps, each with the selection inside it (nil keeps all of it).
type selection map[string]selection

// parseFields parses Google's fields syntax: comma-separated paths like
// "items(id,start/dateTime),nextPageToken", "a/b" for nesting, "a(b,c)"
// for several fields of a.
func parseFields(s string) (selection, error) {
	sel := selection{}
	rest, err := parseList(s, sel)
	if err == nil && rest != "" {
		err = errors.New("unbalanced parentheses")
	}
	return sel, err
}

// parseList parses paths into sel until a ")" or the end and returns what
// follows.
func parseList(s string, sel selection) (string, error) {
	for {
		i := strings.IndexAny(s, ",()")
		if i < 0 {
			i = len(s)
		}
		path := strings.TrimSpace(s[:i])
		if path == "" {
			return "", errors.New("empty field name")
		}
		leaf := sel
		names := strings.Split(path, "/")
		for j, n := range names {
			if n == "" {
				return "", errors.New("empty field name")
			}
			sub, seen := leaf[n]
			if j == len(names)-1 && (i == len(s) || s[i] != '(') {
				leaf[n] = nil // the whole field, whatever was selected inside
				break
			}
			if sub == nil {
				sub = selection{}
				if !seen {
					leaf[n] = sub
				} // else already whole: what is selected inside is moot

			}
			leaf = sub
		}
		s = s[i:]
		if strings.HasPrefix(s, "(") {
			var err error
			if s, err = parseList(s[1:], leaf); err != nil {
				return "", err
			}
			if !strings.HasPrefix(s, ")") {
				return "", errors.New("unbalanced parentheses")
			}
			s = s[1:]
		}
		switch {
		case s == "" || s[0] == ')':
			return s, nil
		case s[0] == ',':
			s = s[1:]
		default:
			return "", errors.New("expected a comma")
		}
	}
}

// filter keeps what sel selects of v, a decoded JSON value; arrays are
// filtered element by element.
func filter(v any, sel selection) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, sub := range sel {
			if x, ok := v[k]; ok {
				if sub != nil {
					x = filter(x, sub)
				}
				out[k] = x
			}
		}
		return out
	case []any:
		for i, x := range v {
			v[i] = filter(x, sel)
		}
	}
	return v
}

// writeFields writes v as JSON, cut down to the request's fields parameter
// as Google's partial responses are. A malformed selection is answered with
// Google's 400 and recorded in Unexpected. s.mu must be held.
func (s *Server) writeFields(w http.ResponseWriter, r *http.Request, v any) {
	f := r.URL.Query().Get("fields")
	if f == "" {
		writeJSON(w, http.StatusOK, v)
		return
	}
	sel, err := parseFields(f)
	if err != nil {
		s.unexpected = append(s.unexpected, r.Method+" "+r.URL.Path+": fields "+f+": "+err.Error())
		writeError(w, http.StatusBadRequest, "global", "invalidParameter", "Invalid field selection "+f)
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic("calendarfake: marshal response: " + err.Error())
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		panic("calendarfake: unmarshal response: " + err.Error())
	}
	writeJSON(w, http.StatusOK, filter(x, sel))
}
