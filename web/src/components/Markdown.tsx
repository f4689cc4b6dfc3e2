import { Streamdown, defaultComponents, defaultRehypePlugins, type Components } from "streamdown";
import { RemoteImage } from "./RemoteImage.tsx";

// No raw HTML from the agent: without rehype-raw, HTML in the Markdown never becomes elements
// (skipHtml drops it); sanitize still vets every link and image URL.
const rehypePlugins = [defaultRehypePlugins.sanitize, defaultRehypePlugins.harden];

const DefaultLink = defaultComponents.a;
// Images wait for a click (RemoteImage: the `img` override replaces Streamdown's own, which loads at
// once; harden's allowedImagePrefixes could only block an image outright, leaving nothing to click).
// Links open in a new tab that gets neither this page (`window.opener`) nor its address (Referer).
const components: Components = {
  img: RemoteImage,
  a: (props) => <DefaultLink {...props} rel="noopener noreferrer" />,
};

type Props = { text: string; streaming: boolean };

/** The agent's Markdown, rendered as it streams (unfinished syntax is completed, not shown raw). */
export function Markdown({ text, streaming }: Props) {
  return (
    <Streamdown
      className="markdown"
      skipHtml
      rehypePlugins={rehypePlugins}
      components={components}
      isAnimating={streaming}
      controls={false}
      linkSafety={{ enabled: false }}
    >
      {text}
    </Streamdown>
  );
}
