/** A built page's text as a reader sees it: styles and tags dropped, every run of white space one space. */
export function pageText(html: string): string {
	return html
		.replace(/<style[^>]*>[\s\S]*?<\/style>/g, ' ')
		.replace(/<[^>]+>/g, ' ')
		.replace(/\s+/g, ' ');
}
