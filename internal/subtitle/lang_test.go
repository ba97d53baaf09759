package subtitle

import "testing"

func TestValidLang(t *testing.T) {
	if n := len(langCodes); n != 184 {
		t.Errorf("%d ISO 639-1 codes, want 184", n)
	}
	for _, c := range []string{"sv", "en", "fi", "se", "yi", "zu", "bh"} {
		if !ValidLang(c) {
			t.Errorf("ValidLang(%q) = false", c)
		}
	}
	for _, c := range []string{"", "SV", "swe", "xx", "s", "sv-SE", "fit", " sv"} {
		if ValidLang(c) {
			t.Errorf("ValidLang(%q) = true", c)
		}
	}
	for c := range langNames {
		if !ValidLang(c) {
			t.Errorf("label for %q, which is not a valid code", c)
		}
	}
}

func TestLangLabel(t *testing.T) {
	for code, want := range map[string]string{
		"sv": "Svenska", "en": "Engelska", "fi": "Finska", "se": "Nordsamiska",
		"ar": "Arabiska", "so": "Somaliska", "uk": "Ukrainska", "zu": "ZU",
	} {
		if got := LangLabel(code); got != want {
			t.Errorf("LangLabel(%q) = %q, want %q", code, got, want)
		}
	}
	for code, want := range map[string]string{"sv": "Swedish", "se": "Northern Sami", "uk": "Ukrainian", "zu": "ZU"} {
		if got := LangNameIn(code, "en"); got != want {
			t.Errorf("LangNameIn(%q, en) = %q, want %q", code, got, want)
		}
	}
}
