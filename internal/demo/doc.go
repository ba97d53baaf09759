// Package demo holds the bundled demo archive that `portal --demo` loads
// into an empty store, so that a fresh installation has something to show.
//
// # Contents
//
// The archive is three SmåKom webinars:
//
//  1. "Sveriges nästa potentiella samhällskris – vattenförsörjningen"
//     (6 May 2024) with Ulf Thysell, strateg at Svenskt Vatten.
//  2. "Kompetensförsörjning i små kommuner 2024" (17 October 2024).
//  3. "Digitalisering och e-tjänster i små kommuner" (15 March 2023).
//
// MembersOnly adds a fourth, members-only webinar ("Medlemsträff:
// ekonomi och budget i små kommuner", fictional speaker, the competence
// clip and subtitles, no poster): `portal --demo` loads it too (LoadMembersOnly), so that the
// members' badge and the members-only watch page can be seen and tested.
//
// The first entry names a real SmåKom webinar and its real speaker, but
// everything bundled with it (summary, description, clip, subtitles and
// slides) is demo material written for the portal, not a recording or a
// transcript of the event. The speakers of the other two entries are
// fictional. Every Summary starts with "Demo: " and every Description says
// it is demo content, so the entries cannot be mistaken for real archive
// items once they are in a store.
//
// # Media
//
// Each webinar carries:
//
//   - Video: a 14-second 480x270 MP4 title card (H.264 Main, AAC mono,
//     faststart) embedded from assets/*.mp4. The clips are fixed assets made
//     with ffmpeg; assets/README.md has the exact commands to remake them.
//     VideoDuration is the ffprobe-measured length, hard-coded here.
//   - Subtitles: SRT files (UTF-8) embedded from assets/*.srt, keyed by
//     language. Every webinar has "sv"; the first also has "en".
//   - Slides: a PDF deck (landscape A4, four or five slides) rendered at run
//     time with github.com/go-pdf/fpdf. Rendering is deterministic: the PDF
//     dates are pinned to the webinar date, so repeated calls give the same
//     bytes.
//
// # Use
//
//	webinars, err := demo.Webinars()
//	if err != nil {
//		return err
//	}
//	for _, w := range webinars {
//		// store w.Video, w.Subtitles, w.Slides and the metadata
//	}
//
// Webinars returns fresh values on each call; callers may modify them.
package demo
