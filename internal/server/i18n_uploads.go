package server

// English for the answers to uploads that arrive too slowly.
func init() {
	englishErrors["upload_too_slow"] = "The transfer was too slow and was stopped. Nothing was saved; try again from a faster connection."
	for sv, en := range map[string]string{
		"Överföringen gick för långsamt och avbröts. Inget sparades; försök igen från en snabbare anslutning.": "The transfer was too slow and was stopped. Nothing was saved; try again from a faster connection.",
		"Överföringen gick för långsamt och avbröts; uppladdningen fortsätter där den slutade.":                "The transfer was too slow and was stopped; the upload resumes where it left off.",
	} {
		englishTexts[sv] = en
	}
}
