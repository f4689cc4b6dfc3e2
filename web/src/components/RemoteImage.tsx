import { useState, type ComponentProps } from "react";
import type { ExtraProps } from "streamdown";
import { imageSourceLabel } from "../image-source.ts";

/**
 * An image the agent names, as a placeholder until the person asks for it: an image URL is a request
 * to whatever server the agent (or a prompt that steered it) chose, carrying whatever the URL encodes,
 * so nothing is fetched on its own, not while streaming, not when the history loads. After the click
 * the image loads once, without a Referer.
 */
export function RemoteImage({ src, alt }: ComponentProps<"img"> & ExtraProps) {
  const [shown, setShown] = useState(false);
  if (typeof src !== "string" || src === "") return null;
  if (shown) return <img src={src} alt={alt ?? ""} referrerPolicy="no-referrer" />;
  return (
    <span className="remote-image">
      <span className="remote-image-label">
        Image{alt ? ` “${alt}”` : ""} from <strong>{imageSourceLabel(src, window.location.href)}</strong>
      </span>
      <button
        type="button"
        onClick={(event) => {
          event.preventDefault(); // an image inside a link: show it, do not follow the link
          setShown(true);
        }}
      >
        Show image
      </button>
    </span>
  );
}
