package server

import (
	"testing"
)

// TestFacetURLsKeepTheOtherParameters: the facet links are the page's
// parameters, encoded as url.Values does, with one of them changed.
func TestFacetURLsKeepTheOtherParameters(t *testing.T) {
	pages := []cataloguePage{
		{Query: "vatten & avlopp", Topic: "Vatten", Year: 2024, Organiser: "SmåKom", Sort: "newest"},
		{Query: "ö"},
		{},
	}
	for _, p := range pages {
		for _, key := range []string{"topic", "year", "organiser", "subtitled", "lang", "q", "a", "zz"} {
			with := p.withValues(key)
			for _, value := range []string{"", "Vatten och avlopp", "2023", "ja", "a=b&c"} {
				want := p.params()
				if value == "" {
					want.Del(key)
				} else {
					want.Set(key, value)
				}
				if got := with(value); got != "/?"+want.Encode() {
					t.Errorf("%+v with %s=%q: %s, want /?%s", p, key, value, got, want.Encode())
				}
			}
		}
	}
}
