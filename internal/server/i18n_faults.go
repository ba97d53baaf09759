package server

// English texts of the answers to storage faults and broken-off uploads.
func init() {
	for code, en := range map[string]string{
		"storage_unavailable": "The storage for recordings and slides does not answer right now. Please try again in a while.",
		"storage_full":        "The storage is full, so the file could not be saved. Nothing was kept. Whoever runs the portal needs to free space.",
		"upload_timeout":      "The transfer stalled and was stopped. Nothing was kept; please try again.",
		"upload_interrupted":  "The transfer broke off before the whole file arrived. Nothing was kept; please try again.",
	} {
		englishErrors[code] = en
	}
}
