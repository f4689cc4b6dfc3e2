import { Streamdown, defaultRehypePlugins } from "streamdown";

// No raw HTML from the agent: without rehype-raw, HTML in the Markdown never becomes elements
// (skipHtml drops it); sanitize still vets every link and image URL.
const rehypePlugins = [defaultRehypePlugins.sanitize, defaultRehypePlugins.harden];

type Props = { text: string; streaming: boolean };

/** The agent's Markdown, rendered as it streams (unfinished syntax is completed, not shown raw). */
export function Markdown({ text, streaming }: Props) {
  return (
    <Streamdown
      className="markdown"
      skipHtml
      rehypePlugins={rehypePlugins}
      isAnimating={streaming}
      controls={false}
      linkSafety={{ enabled: false }}
    >
      {text}
    </Streamdown>
  );
}
