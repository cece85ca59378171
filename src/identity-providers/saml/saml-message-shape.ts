import { samlRejection } from './saml-rejection.js';

/**
 * Bounds on the shape of a SAML message, checked by one linear scan of the raw text before any XML parser,
 * signature library or XPath sees it. The libraries' costs grow faster than linearly in these dimensions
 * (xml-crypto's `//*[@ID=…]` lookups sort nodes with a sibling scan per comparison), so a message inside
 * these bounds costs a bounded amount of work whatever its shape. Real responses are far inside them:
 * a response with 1,000 group values has about 1,100 elements, depth 7 and 1,000 siblings in one place.
 */
export const SAML_MESSAGE_LIMITS = {
  maxElements: 4096,
  maxDepth: 24,
  maxChildrenPerElement: 1024,
  maxAttributesPerElement: 32,
  maxNamespaceDeclarations: 256,
} as const;

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f; // /
const BANG = 0x21; // !
const QUESTION = 0x3f; // ?
const EQUALS = 0x3d; // =
const QUOTE = 0x22; // "
const APOS = 0x27; // '

/**
 * Refuses a message whose element count, nesting depth, children of one element, attributes of one element or
 * namespace declarations exceed SAML_MESSAGE_LIMITS. Over-counting is harmless (the message is refused);
 * anything the scan cannot follow (an unterminated tag, comment or CDATA section) is malformed.
 */
export function checkMessageShape(xml: string): void {
  const limits = SAML_MESSAGE_LIMITS;
  let elements = 0;
  let namespaces = 0;
  // children[d] counts the element children of the open element at depth d (index 0: the document).
  const children: number[] = [0];
  let i = 0;
  const length = xml.length;
  while (i < length) {
    const lt = xml.indexOf('<', i);
    if (lt === -1) break;
    const next = xml.charCodeAt(lt + 1);
    if (next === BANG) {
      const terminator = xml.startsWith('<!--', lt) ? '-->' : xml.startsWith('<![CDATA[', lt) ? ']]>' : '>';
      const end = xml.indexOf(terminator, lt + 2);
      if (end === -1) throw samlRejection('malformed-message');
      i = end + terminator.length;
      continue;
    }
    if (next === QUESTION) {
      const end = xml.indexOf('?>', lt + 2);
      if (end === -1) throw samlRejection('malformed-message');
      i = end + 2;
      continue;
    }
    if (next === SLASH) {
      const end = xml.indexOf('>', lt + 2);
      if (end === -1 || children.length <= 1) throw samlRejection('malformed-message');
      children.pop();
      i = end + 1;
      continue;
    }
    // A start tag: walk to its closing '>' outside quotes, counting attributes and namespace declarations.
    elements += 1;
    const depth = children.length;
    const parentChildren = (children[depth - 1] ?? 0) + 1;
    children[depth - 1] = parentChildren;
    if (
      elements > limits.maxElements ||
      depth > limits.maxDepth ||
      parentChildren > limits.maxChildrenPerElement
    ) {
      throw samlRejection('message-too-complex');
    }
    let attributes = 0;
    let quote = 0;
    let j = lt + 1;
    let selfClosing = false;
    for (; j < length; j += 1) {
      const c = xml.charCodeAt(j);
      if (quote !== 0) {
        if (c === quote) quote = 0;
        else if (c === LT) throw samlRejection('malformed-message');
        continue;
      }
      if (c === QUOTE || c === APOS) quote = c;
      else if (c === EQUALS) {
        attributes += 1;
        if (isNamespaceDeclaration(xml, j)) namespaces += 1;
        if (attributes > limits.maxAttributesPerElement || namespaces > limits.maxNamespaceDeclarations)
          throw samlRejection('message-too-complex');
      } else if (c === GT) {
        selfClosing = xml.charCodeAt(j - 1) === SLASH;
        break;
      } else if (c === LT) throw samlRejection('malformed-message');
    }
    if (j >= length) throw samlRejection('malformed-message');
    if (!selfClosing) children.push(0);
    i = j + 1;
  }
}

/**
 * True when the attribute whose `=` is at `equals` is `xmlns` or `xmlns:<prefix>`. The backward walk stops at
 * a space, a quote or `<`, so it only covers this attribute's name: the scan stays linear.
 */
function isNamespaceDeclaration(xml: string, equals: number): boolean {
  let end = equals;
  while (end > 0 && isSpace(xml.charCodeAt(end - 1))) end -= 1;
  let start = end;
  while (start > 0 && !isNameBoundary(xml.charCodeAt(start - 1))) start -= 1;
  const name = xml.slice(start, end);
  return name === 'xmlns' || name.startsWith('xmlns:');
}

function isNameBoundary(c: number): boolean {
  return isSpace(c) || c === QUOTE || c === APOS || c === LT;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
