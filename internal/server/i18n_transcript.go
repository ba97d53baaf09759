package server

// Texts of the watch page's transcript, chapters and caption settings.
// They live apart from i18n.go so that the two can change independently.
func init() {
	for k, m := range map[string]message{
		"watch.transcript":             {"Utskrift", "Transcript"},
		"watch.transcript_langs":       {"Utskriften på", "Transcript in"},
		"watch.transcript_skip":        {"Hoppa förbi utskriften", "Skip the transcript"},
		"watch.transcript_filter":      {"Sök i utskriften", "Search the transcript"},
		"watch.transcript_count":       {"Visar %d av %d rader.", "Showing %d of %d lines."},
		"watch.transcript_all":         {"Visar alla %d rader.", "Showing all %d lines."},
		"watch.transcript_play_from":   {"Spela från", "Play from"},
		"watch.transcript_hint":        {"Välj en tid för att spela upp därifrån.", "Choose a time to play from there."},
		"watch.transcript_missing":     {"Utskriften kunde inte läsas in just nu.", "The transcript could not be loaded right now."},
		"watch.chapters":               {"Kapitel", "Chapters"},
		"watch.chapter_slide":          {"Bild %d", "Slide %d"},
		"watch.slide_moments":          {"Bilderna i inspelningen", "The slides in the recording"},
		"watch.start_at":               {"Uppspelningen börjar vid %s.", "Playback starts at %s."},
		"watch.caption_settings":       {"Undertexter", "Captions"},
		"watch.captions":               {"Undertexter", "Captions"},
		"watch.captions_on":            {"på", "on"},
		"watch.captions_off":           {"av", "off"},
		"watch.captions_lang":          {"Språk", "Language"},
		"watch.caption_size":           {"Textstorlek", "Text size"},
		"watch.caption_size_normal":    {"Normal", "Normal"},
		"watch.caption_size_large":     {"Stor", "Large"},
		"watch.caption_size_xlarge":    {"Extra stor", "Extra large"},
		"watch.caption_colours":        {"Färger", "Colours"},
		"watch.caption_colours_white":  {"Vit text på svart", "White on black"},
		"watch.caption_colours_yellow": {"Gul text på svart", "Yellow on black"},
		"watch.caption_colours_black":  {"Svart text på vitt", "Black on white"},
		"watch.captions_key":           {"Tangenten C slår av och på undertexterna när videon har fokus. Dina val sparas i webbläsaren.", "The C key turns captions on and off when the video has focus. Your choices are kept in this browser."},
	} {
		messages[k] = m
	}
}
