import { describe, expect, it } from 'vitest';
import { sanitizeStoryHtml, storyBlocks } from './sanitize.js';

const IMG = '/api/kitchen/images/123e4567-e89b-42d3-a456-426614174000/web';
const VIDEO = '123e4567-e89b-42d3-a456-426614174000';

describe('sanitizeStoryHtml: the one sanitiser of story HTML', () => {
  it('keeps the allowed set: headings, quotes, lists, links, emphasis, figures, own images and Paike videos', () => {
    const html =
      '<h2>一路向家</h2><h3>小标题</h3><h4>更小</h4><p>清晨 <strong>六点</strong> <em>车站</em> <b>b</b> <i>i</i> <u>u</u> <s>s</s><br /></p>' +
      '<blockquote><p>回家过年。</p></blockquote><ul><li>一</li></ul><ol><li>二</li></ol><hr />' +
      `<figure><img src="${IMG}" alt="车站" /><figcaption>图：拍客</figcaption></figure>` +
      `<figure data-paike-video="${VIDEO}"></figure>` +
      '<p><a href="https://paike.test/a" rel="noopener noreferrer">链接</a> <a href="mailto:desk@paike.test" rel="noopener noreferrer">信</a></p>';
    expect(sanitizeStoryHtml(html)).toBe(html);
  });

  it('drops scripts, styles and everything inside them', () => {
    expect(sanitizeStoryHtml('<p>hi<script>alert(1)</script></p><style>p{color:red}</style>')).toBe('<p>hi</p>');
    expect(sanitizeStoryHtml('<scr<script>ipt>alert(1)</script>')).not.toContain('<script');
    expect(sanitizeStoryHtml('<noscript><p>x</p></noscript><template><p>y</p></template>')).toBe('');
  });

  it('drops event handlers, style and class attributes', () => {
    expect(sanitizeStoryHtml('<p onclick="x()" style="color:red" class="big" id="a">t</p>')).toBe('<p>t</p>');
    expect(sanitizeStoryHtml(`<img src="${IMG}" onerror="alert(1)" style="width:1px">`)).toBe(`<img src="${IMG}" />`);
    expect(sanitizeStoryHtml(`<figure data-paike-video="${VIDEO}" onload="x"><figcaption onmouseover="y">v</figcaption></figure>`)).toBe(
      `<figure data-paike-video="${VIDEO}"><figcaption>v</figcaption></figure>`,
    );
  });

  it('keeps only http(s) and mailto links, whatever the casing or whitespace tricks, and marks them noopener', () => {
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' java\tscript:alert(1)',
      'data:text/html,<script>1</script>',
      'vbscript:x',
      '/relative',
      '//evil.test/x',
    ]) {
      expect(sanitizeStoryHtml(`<a href="${href}">c</a>`)).toBe('c');
    }
    expect(sanitizeStoryHtml('<a href="https://e.test" target="_blank" rel="opener">ok</a>')).toBe('<a href="https://e.test" rel="noopener noreferrer">ok</a>');
  });

  it('refuses foreign images, data URLs and lookalike paths', () => {
    for (const src of [
      'https://evil.test/a.png',
      '//evil.test/a.png',
      'data:image/png;base64,AAAA',
      '/api/kitchen/images/../../etc/passwd',
      `/api/kitchen/images/${VIDEO}/web?x=1`,
      `${IMG}/../x`,
    ]) {
      expect(sanitizeStoryHtml(`<img src="${src}">`)).toBe('');
    }
  });

  it('removes iframes, svg, math, objects and embeds entirely', () => {
    expect(sanitizeStoryHtml('<iframe src="https://www.youtube.com/embed/x"></iframe><p>x</p>')).toBe('<p>x</p>');
    expect(sanitizeStoryHtml('<svg onload="alert(1)"><script>alert(1)</script><text>t</text></svg>')).toBe('');
    expect(sanitizeStoryHtml('<math><mi xlink:href="javascript:alert(1)">x</mi></math><object data="x"></object><embed src="x">')).toBe('');
  });

  it('keeps a Paike video only with a submission id', () => {
    expect(sanitizeStoryHtml('<figure data-paike-video="../../x">y</figure>')).toBe('<figure>y</figure>');
    expect(sanitizeStoryHtml(`<figure data-paike-video="${VIDEO.toUpperCase()}"></figure>`)).toBe(`<figure data-paike-video="${VIDEO}"></figure>`);
  });

  it('maps pasted headings and divs onto the allowed set and escapes text', () => {
    expect(sanitizeStoryHtml('<h1>T</h1><h6>s</h6><div>d</div>')).toBe('<h2>T</h2><h4>s</h4><p>d</p>');
    expect(sanitizeStoryHtml('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(sanitizeStoryHtml('<p title="x" data-x="1">t</p>')).toBe('<p>t</p>');
  });

  it('is idempotent', () => {
    const once = sanitizeStoryHtml('<p onclick=1>a<a href="javascript:x">b</a><img src=x onerror=y></p><svg/onload=alert(1)>');
    expect(sanitizeStoryHtml(once)).toBe(once);
  });
});

describe('storyBlocks', () => {
  it('gives the text of each block, entities decoded', () => {
    expect(storyBlocks('<p>清晨&amp;六点</p><h2>一路</h2><blockquote><p>回家</p></blockquote><ul><li>a</li><li>b</li></ul>')).toEqual([
      '清晨&六点',
      '一路',
      '回家',
      'a',
      'b',
    ]);
  });
});
