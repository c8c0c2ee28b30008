import type { Page } from 'playwright-core';

/** For each `<canvas data-chart>` of the page: its size and how many pixels are not fully transparent. */
export function chartInk(page: Page): Promise<{ width: number; height: number; inked: number }[]> {
	return page.evaluate(() =>
		[...document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')].map((canvas) => {
			const context = canvas.getContext('2d');
			if (!context || canvas.width === 0 || canvas.height === 0) return { width: canvas.width, height: canvas.height, inked: 0 };
			const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
			let inked = 0;
			for (let index = 3; index < data.length; index += 4) if (data[index]! > 0) inked++;
			return { width: canvas.width, height: canvas.height, inked };
		}),
	);
}
