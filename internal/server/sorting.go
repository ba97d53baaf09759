package server

import (
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// sortedSwedish sorts in Swedish order (å, ä, ö after z).
func sortedSwedish(in []string) []string {
	out := slices.Clone(in)
	collate.New(language.Swedish).SortStrings(out)
	return out
}

func sortedDesc(in []int) []int {
	out := slices.Clone(in)
	slices.Sort(out)
	slices.Reverse(out)
	return out
}
