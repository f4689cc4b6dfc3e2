/**
 * Where an image would be fetched from, for the person deciding whether to load it: the URL's host
 * (relative URLs resolve against the page), or that the data is embedded in the message.
 */
export function imageSourceLabel(src: string, pageUrl: string): string {
  if (/^\s*data:/i.test(src)) return "data embedded in the message";
  try {
    return new URL(src, pageUrl).host || src;
  } catch {
    return src;
  }
}
