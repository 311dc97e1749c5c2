<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AnimationExport</name>
    <message>
        <source>%1: nothing to export: translate a sentence first</source>
        <translation>%1：没有可导出的内容：请先翻译一个句子</translation>
    </message>
    <message>
        <source>%1: steps %2-%3 are not a range of this walk (0 to %4)</source>
        <translation>%1：步骤 %2-%3 不是这次演示中的有效范围（0 到 %4）</translation>
    </message>
    <message>
        <source>%1: export cancelled</source>
        <translation>%1：导出已取消</translation>
    </message>
</context>
<context>
    <name>GifWriter</name>
    <message>
        <source>frame %1 is %2x%3, not %4x%5</source>
        <translation>第 %1 帧的尺寸是 %2x%3，而不是 %4x%5</translation>
    </message>
    <message>
        <source>%1: no frames to write</source>
        <translation>%1：没有可写入的帧</translation>
    </message>
    <message>
        <source>%1: cannot write the file (%2)</source>
        <translation>%1：无法写入文件（%2）</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>encoder %1</source>
        <translation>编码器第 %1 层</translation>
    </message>
    <message>
        <source>decoder %1</source>
        <translation>解码器第 %1 层</translation>
    </message>
    <message>
        <source>embeddings</source>
        <translation>词嵌入</translation>
    </message>
    <message>
        <source>final norms</source>
        <translation>最后的层归一化</translation>
    </message>
</context>
<context>
    <name>SessionFiles</name>
    <message>
        <source>%1: nothing to save: open a model and translate a sentence first</source>
        <translation>%1：没有可保存的内容：请先打开模型并翻译一个句子</translation>
    </message>
    <message>
        <source>%1: cannot write the file (%2)</source>
        <translation>%1：无法写入文件（%2）</translation>
    </message>
    <message>
        <source>%1: the window is busy (loading or translating); open the session again in a moment</source>
        <translation>%1：窗口正忙（正在加载或翻译），请稍后再打开这个会话</translation>
    </message>
    <message>
        <source>%1: cannot read the file (%2)</source>
        <translation>%1：无法读取文件（%2）</translation>
    </message>
    <message>
        <source>%1: %2 bytes is too large for a session file (at most %3)</source>
        <translation>%1：%2 字节对会话文件来说太大了（最多 %3 字节）</translation>
    </message>
    <message>
        <source>%1: model &quot;%2&quot; is neither a bundled model nor a directory</source>
        <translation>%1：模型“%2”既不是内置模型，也不是目录</translation>
    </message>
    <message>
        <source>%1: model: %2</source>
        <translation>%1：模型：%2</translation>
    </message>
</context>
<context>
    <name>WorksheetPdf</name>
    <message>
        <source>Translate a sentence first: a worksheet is made of the current step.</source>
        <translation>请先翻译一个句子：练习单是根据当前步骤生成的。</translation>
    </message>
    <message>
        <source>This step shows no matrix. Go to a step with a heatmap (attention weights, scores, embeddings …) and export the worksheet there.</source>
        <translation>这一步没有显示矩阵。请转到带热力图的步骤（注意力权重、分数、词嵌入……），再在那里导出练习单。</translation>
    </message>
    <message>
        <source>Stepformer worksheet</source>
        <translation>Stepformer 练习单</translation>
    </message>
    <message>
        <source>%1: cannot write the PDF file</source>
        <translation>%1：无法写入 PDF 文件</translation>
    </message>
    <message>
        <source>Model: %1    Sentence: “%2”</source>
        <translation>模型：%1    句子：“%2”</translation>
    </message>
    <message>
        <source>Step: %1</source>
        <translation>步骤：%1</translation>
    </message>
    <message>
        <source>1. The matrix “%1” (rows: %2, columns: %3). Fill in the cells marked (a), (b), … Hint: in each of them the row has its largest value.</source>
        <translation>1. 矩阵“%1”（行：%2，列：%3）。请填写标有 (a)、(b)……的格子。提示：每个空格都是它所在行里最大的值。</translation>
    </message>
    <message>
        <source>(The first %1 of %2 rows and %3 of %4 columns.)</source>
        <translation>（只列出 %2 行中的前 %1 行、%4 列中的前 %3 列。）</translation>
    </message>
    <message>
        <source>(%1) row “%2”, column “%3”:  ____________</source>
        <translation>(%1) 行“%2”，列“%3”：  ____________</translation>
    </message>
    <message>
        <source>2. Decoding step %1. The decoder has read: %2</source>
        <translation>2. 解码第 %1 步。解码器已经读入：%2</translation>
    </message>
    <message>
        <source>The most probable next token is  ____________  with probability  ________ .</source>
        <translation>概率最高的下一个词元是  ____________ ，它的概率是  ________ 。</translation>
    </message>
    <message>
        <source>3. Why is the next token not read from the decoder&apos;s input? Explain in one sentence.</source>
        <translation>3. 为什么下一个词元不能直接从解码器的输入里读到？请用一句话解释。</translation>
    </message>
    <message>
        <source>%1: cannot add a page to the PDF file</source>
        <translation>%1：无法向 PDF 文件添加页面</translation>
    </message>
    <message>
        <source>Answer key</source>
        <translation>参考答案</translation>
    </message>
    <message>
        <source>1. %1</source>
        <translation>1. %1</translation>
    </message>
    <message>
        <source>(%1) row “%2”, column “%3”:  %4</source>
        <translation>(%1) 行“%2”，列“%3”：  %4</translation>
    </message>
    <message>
        <source>2. The most probable next token at decoding step %1: %2 (id %3), probability %4</source>
        <translation>2. 解码第 %1 步概率最高的下一个词元：%2（编号 %3），概率 %4</translation>
    </message>
    <message>
        <source>3. The decoder&apos;s input is the output shifted right by one: at each step it has read only the tokens chosen before, so the next one must be predicted.</source>
        <translation>3. 解码器的输入是右移一位的输出：每一步它只读到之前已经选出的词元，所以下一个词元必须靠模型预测（自回归）。</translation>
    </message>
    <message>
        <source>Every number on this sheet was read from the model&apos;s recorded forward pass (its Trace).</source>
        <translation>本练习单上的每个数字都取自模型记录下来的前向计算（Trace）。</translation>
    </message>
</context>
<context>
    <name>sf::ui::ArchitectureView</name>
    <message>
        <source>Encoder</source>
        <translation>编码器</translation>
    </message>
    <message>
        <source>Decoder</source>
        <translation>解码器</translation>
    </message>
    <message>
        <source>Output Embedding (shifted right)</source>
        <translation>输出词嵌入（右移）</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <source>decoding step %1</source>
        <translation>解码第 %1 步</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>相加</translation>
    </message>
    <message>
        <source>LayerNorm</source>
        <translation>层归一化</translation>
    </message>
</context>
<context>
    <name>sf::ui::BeamTreeView</name>
    <message>
        <source>Choose beam search (Lab ▸ Decoding choices) to see every hypothesis it keeps and prunes.</source>
        <translation>选择束搜索（实验 ▸ 解码方式），即可看到它保留和剪掉的每一个候选。</translation>
    </message>
    <message>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <source>%1 (log P / len)</source>
        <translation>%1（log P / 长度）</translation>
    </message>
    <message>
        <source>%1 (log P)</source>
        <translation>%1（log P）</translation>
    </message>
    <message>
        <source>%1 (/ len^%2)</source>
        <translation>%1（/ 长度^%2）</translation>
    </message>
</context>
<context>
    <name>sf::ui::ClassroomPanel</name>
    <message>
        <source>Open a lesson</source>
        <translation>打开课程</translation>
    </message>
    <message>
        <source>Lessons (*.json)</source>
        <translation>课程 (*.json)</translation>
    </message>
    <message>
        <source>Lesson</source>
        <translation>课程</translation>
    </message>
    <message>
        <source>This lesson cannot be shown:</source>
        <translation>无法显示这个课程：</translation>
    </message>
    <message>
        <source>&amp;Predict, then reveal</source>
        <translation>先预测，再揭晓(&amp;P)</translation>
    </message>
    <message>
        <source>Ask before showing: the mask, the cross-attention, the next token</source>
        <translation>先提问再显示：掩码、交叉注意力、下一个词元</translation>
    </message>
    <message>
        <source>Open &amp;lesson…</source>
        <translation>打开课程(&amp;L)…</translation>
    </message>
    <message>
        <source>Concept &amp;quiz…</source>
        <translation>概念小测验(&amp;Q)…</translation>
    </message>
</context>
<context>
    <name>sf::ui::ComparisonView</name>
    <message>
        <source>&lt;p&gt;No intervention is active.&lt;/p&gt;&lt;p&gt;Switch off a head (Ctrl+click a head on an attention step, or the &lt;b&gt;Lab&lt;/b&gt; menu), turn off the positions or the scaling, or run the teacher-forcing demo: the translation is redone at once and compared here with the one before.&lt;/p&gt;</source>
        <translation>&lt;p&gt;当前没有任何干预。&lt;/p&gt;&lt;p&gt;关掉一个头（在注意力步骤上按住 Ctrl 点击某个头，或用&lt;b&gt;实验&lt;/b&gt;菜单），关掉位置编码或缩放，或者运行教师强制演示：翻译会立即重做，并在这里与之前的结果对比。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>(in the specs, layers and heads count from 0)</source>
        <translation>（干预说明中的层号和头号从 0 开始计数）</translation>
    </message>
    <message>
        <source>The output did not change.</source>
        <translation>输出没有变化。</translation>
    </message>
    <message numerus="yes">
        <source>%n position(s) changed (marked).</source>
        <translation>
            <numerusform>有 %n 个位置发生了变化（已标出）。</numerusform>
        </translation>
    </message>
    <message>
        <source>p(next reference token)</source>
        <translation>p(下一个参考词元)</translation>
    </message>
    <message>
        <source>p(chosen token)</source>
        <translation>p(选中的词元)</translation>
    </message>
    <message>
        <source>position</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>model says, before</source>
        <translation>模型输出（之前）</translation>
    </message>
    <message>
        <source>before</source>
        <translation>之前</translation>
    </message>
    <message>
        <source>model says, after</source>
        <translation>模型输出（之后）</translation>
    </message>
    <message>
        <source>after</source>
        <translation>之后</translation>
    </message>
    <message>
        <source>change</source>
        <translation>变化</translation>
    </message>
    <message>
        <source>next reference token</source>
        <translation>下一个参考词元</translation>
    </message>
    <message>
        <source>Teacher forcing without the causal mask: each position can now see the token it must predict. A model trained without the mask learns to copy it (its probability near 1) and learns nothing useful; this one was trained with the mask, so the unseen view confuses it instead. Either way the mask is what makes training honest.</source>
        <translation>去掉因果掩码的教师强制：每个位置现在都能看到它要预测的那个词元。不带掩码训练的模型会学会直接照抄它（概率接近 1），却学不到有用的东西；这个模型是带掩码训练的，从没见过这种视野，反而被搞糊涂了。无论哪种情况，正是掩码让训练名副其实。</translation>
    </message>
    <message>
        <source>Interventions:</source>
        <translation>干预：</translation>
    </message>
</context>
<context>
    <name>sf::ui::DecodingView</name>
    <message>
        <source>source</source>
        <translation>源句</translation>
    </message>
    <message>
        <source>decoder input</source>
        <translation>解码器输入</translation>
    </message>
    <message>
        <source>output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>masked self-attn</source>
        <translation>掩码自注意力</translation>
    </message>
    <message>
        <source>cross-attn</source>
        <translation>交叉注意力</translation>
    </message>
    <message>
        <source>&lt;i&gt;the decoder starts after the encoder&lt;/i&gt;</source>
        <translation>&lt;i&gt;编码器算完后，解码器才开始&lt;/i&gt;</translation>
    </message>
    <message>
        <source>layer %1 head %2</source>
        <translation>第 %1 层 第 %2 个头</translation>
    </message>
    <message>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>p(next token), step %1</source>
        <translation>p(下一个词元)，第 %1 步</translation>
    </message>
    <message>
        <source>p(next token), step %1: after the last layer</source>
        <translation>p(下一个词元)，第 %1 步：最后一层之后才有</translation>
    </message>
    <message>
        <source>(computed later in this decoding step)</source>
        <translation>（这一解码步稍后才会算出）</translation>
    </message>
    <message>
        <source>query</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>key</source>
        <translation>键</translation>
    </message>
</context>
<context>
    <name>sf::ui::ExplainView</name>
    <message>
        <source>Stepformer</source>
        <translation>Stepformer</translation>
    </message>
    <message>
        <source>Type a sentence and press &lt;b&gt;Translate&lt;/b&gt;. Then step through every operation of the Transformer with ←/→ (or PageUp/PageDown), Home/End, and Space to play.</source>
        <translation>输入一句话，然后点击&lt;b&gt;翻译&lt;/b&gt;。之后用 ←/→（或 PageUp/PageDown）、Home/End 一步步查看 Transformer 的每一个运算，按空格键自动播放。</translation>
    </message>
    <message>
        <source>Paper: </source>
        <translation>论文：</translation>
    </message>
    <message>
        <source>Notice:</source>
        <translation>请注意：</translation>
    </message>
</context>
<context>
    <name>sf::ui::ForcingView</name>
    <message>
        <source>the toy grammar&apos;s reference translation</source>
        <translation>玩具语法给出的参考译文</translation>
    </message>
    <message>
        <source>the model&apos;s own output (the sentence is not in the toy grammar: %1)</source>
        <translation>模型自己的输出（这句话不在玩具语法中：%1）</translation>
    </message>
    <message>
        <source>Running three passes…</source>
        <translation>正在运行三次前向计算…</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>参考译文</translation>
    </message>
    <message>
        <source>The toy grammar&apos;s translation of the current sentence</source>
        <translation>玩具语法对当前句子的翻译</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>target sentence (French)</source>
        <translation>目标句（法语）</translation>
    </message>
    <message>
        <source>pos</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>decoder reads</source>
        <translation>解码器读入</translation>
    </message>
    <message>
        <source>reference next</source>
        <translation>下一个参考词元</translation>
    </message>
    <message>
        <source>forced: p(ref), says</source>
        <translation>教师强制：p(参考)，输出</translation>
    </message>
    <message>
        <source>free running: says, p</source>
        <translation>自由生成：输出，p</translation>
    </message>
    <message>
        <source>rows t</source>
        <translation>第 t 行</translation>
    </message>
    <message>
        <source>no mask: p(ref), says</source>
        <translation>无掩码：p(参考)，输出</translation>
    </message>
    <message>
        <source>This did not work: %1</source>
        <translation>操作没有成功：%1</translation>
    </message>
    <message>
        <source>Teacher forcing feeds the decoder the reference shifted right and computes every position in one pass, as in training; free running feeds back the model&apos;s own choices one token at a time, as in use. Target: %1. Press &lt;b&gt;Compare&lt;/b&gt;.</source>
        <translation>教师强制把右移一位的参考译文送进解码器，一次算完所有位置，和训练时一样；自由生成则把模型自己的选择逐个词元送回去，和实际使用时一样。目标：%1。请点击&lt;b&gt;对比&lt;/b&gt;。</translation>
    </message>
    <message>
        <source>(stopped)</source>
        <translation>（已停止）</translation>
    </message>
    <message>
        <source>= identical (max |Δ logit| %1)</source>
        <translation>= 完全相同（最大 |Δ logit| %1）</translation>
    </message>
    <message>
        <source>same inputs, but max |Δ logit| %1</source>
        <translation>输入相同，但最大 |Δ logit| 为 %1</translation>
    </message>
    <message>
        <source>differ: free running read its own tokens (max |Δ logit| %1)</source>
        <translation>不同：自由生成读入的是自己的词元（最大 |Δ logit| %1）</translation>
    </message>
    <message>
        <source>&lt;b&gt;Rows:&lt;/b&gt; %1 of %2 positions are identical in both passes (largest logit difference %3, tolerance %4): where the decoder read the same tokens, one parallel masked pass computes what token-by-token decoding with the KV cache computes.</source>
        <translation>&lt;b&gt;逐行对比：&lt;/b&gt;%2 个位置中有 %1 个在两种计算中完全相同（最大 logit 差 %3，容差 %4）：只要解码器读入的词元相同，一次并行的带掩码计算就和带 KV 缓存的逐词元解码算出同样的结果。</translation>
    </message>
    <message>
        <source>At position %1 the model&apos;s own choice, “%2”, leaves the reference, “%3”: from then on free running reads its own tokens and its rows differ.</source>
        <translation>在第 %1 个位置，模型自己的选择“%2”偏离了参考“%3”：从这里开始，自由生成读入的是自己的词元，各行也就不同了。</translation>
    </message>
    <message>
        <source>The model&apos;s own choices follow the target all the way.</source>
        <translation>模型自己的选择自始至终都与目标一致。</translation>
    </message>
    <message>
        <source>No causal mask:</source>
        <translation>去掉因果掩码：</translation>
    </message>
    <message>
        <source>the next reference token gets the largest probability at every position (mean p %1 → %2): the model reads the answer off the next position — it cheats.</source>
        <translation>每个位置上概率最大的都是下一个参考词元（平均 p %1 → %2）：模型直接从下一个位置读出答案——它作弊了。</translation>
    </message>
    <message>
        <source>Step through it</source>
        <translation>逐步查看</translation>
    </message>
    <message>
        <source>Make the teacher-forced pass the current translation: every stage then shows the whole masked matrix, computed at once as in training (Lab ▸ Back to free running to return)</source>
        <translation>把教师强制的计算设为当前翻译：每个阶段都会显示完整的带掩码矩阵，像训练时一样一次算完（用“实验 ▸ 回到自由生成”返回）</translation>
    </message>
    <message>
        <source>the bundled model %1 is not installed (%2)</source>
        <translation>内置模型 %1 没有安装（%2）</translation>
    </message>
    <message>
        <source>no model is loaded</source>
        <translation>还没有加载模型</translation>
    </message>
    <message>
        <source>%1 translates English to French, and the current model&apos;s task is not en-fr</source>
        <translation>%1 做的是英译法，而当前模型的任务不是 en-fr</translation>
    </message>
    <message>
        <source>Run the same comparison on the bundled model %1, trained without the causal mask: teacher-forced it can read the next reference token, free running it cannot</source>
        <translation>在内置模型 %1 上做同样的对比。它训练时没有因果掩码：教师强制时它能读到下一个参考词元，自由生成时读不到</translation>
    </message>
    <message>
        <source>Not available: %1</source>
        <translation>不可用：%1</translation>
    </message>
    <message>
        <source>Running three passes on each model…</source>
        <translation>正在每个模型上运行三次前向计算…</translation>
    </message>
    <message>
        <source>Trained without the mask:</source>
        <translation>未使用掩码训练的模型：</translation>
    </message>
    <message>
        <source>this did not work: %1</source>
        <translation>没有成功：%1</translation>
    </message>
    <message>
        <source>Teacher-forced, the next reference token gets the largest probability at every position (mean p %1): it copies the answer it can see.</source>
        <translation>教师强制时，每个位置上概率最大的都是下一个参考词元（平均 p %1）：它照抄了能看到的答案。</translation>
    </message>
    <message>
        <source>Teacher-forced, the next reference token gets the largest probability at %1 of %2 positions (mean p %3).</source>
        <translation>教师强制时，下一个参考词元在 %2 个位置中的 %1 个上概率最大（平均 p %3）。</translation>
    </message>
    <message>
        <source>Trained without the mask</source>
        <translation>未使用掩码训练</translation>
    </message>
    <message>
        <source>the next reference token gets the largest probability at only %1 of %2 positions, and its mean probability goes from %3 to %4. The answer is in plain sight, yet this model does not copy it: it was trained with the mask and never learned to look ahead, so the later tokens disturb it instead.</source>
        <translation>下一个参考词元只在 %2 个位置中的 %1 个上概率最大，其平均概率从 %3 变为 %4。答案就摆在眼前，这个模型却没有照抄：它是带掩码训练的，从没学过向后看，后面的词元反而干扰了它。</translation>
    </message>
    <message>
        <source>Press &lt;b&gt;%1&lt;/b&gt; to run this comparison on a model that was trained without the mask.</source>
        <translation>点击&lt;b&gt;%1&lt;/b&gt;，在一个未使用掩码训练的模型上做这个对比。</translation>
    </message>
    <message>
        <source>the bundled model %1 (d_model %2, %3 + %4 layers) saw the whole target in training, the next token included (decoder_causal_mask false), so its forced pass is always unmasked.</source>
        <translation>内置模型 %1（d_model %2，%3 + %4 层）训练时能看到整个目标句，包括下一个词元（decoder_causal_mask 为 false），所以它的教师强制计算始终不带掩码。</translation>
    </message>
    <message>
        <source>%1 at once (an empty translation)</source>
        <translation>一开始就输出 %1（译文为空）</translation>
    </message>
    <message>
        <source>“%1”</source>
        <translation>输出“%1”</translation>
    </message>
    <message>
        <source>Free running, token by token, it says %1 and leaves the reference at position %2 (“%3” instead of “%4”): in use no later token is there to copy.</source>
        <translation>自由生成时逐个词元输出，它%1，在第 %2 个位置就偏离了参考译文（输出“%3”而不是“%4”）：实际使用时，后面没有词元可抄。</translation>
    </message>
    <message>
        <source>Free running, token by token, it says %1: the reference itself.</source>
        <translation>自由生成时逐个词元输出，它%1，正是参考译文。</translation>
    </message>
    <message>
        <source>(the current model, %1)</source>
        <translation>（当前模型 %1）</translation>
    </message>
    <message>
        <source>the next reference token gets the largest probability at only %1 of %2 positions (mean p %3 → %4); this model was trained without the mask.</source>
        <translation>下一个参考词元只在 %2 个位置中的 %1 个上概率最大（平均 p %3 → %4）；这个模型是不带掩码训练的。</translation>
    </message>
    <message>
        <source>%1, masked
p(ref), says</source>
        <translation>%1，带掩码
p(参考)，输出</translation>
    </message>
    <message>
        <source>%1, no mask
p(ref), says</source>
        <translation>%1，无掩码
p(参考)，输出</translation>
    </message>
    <message>
        <source>%1
p(ref), says</source>
        <translation>%1
p(参考)，输出</translation>
    </message>
    <message>
        <source>%1, free running
says, p</source>
        <translation>%1，自由生成
输出，p</translation>
    </message>
</context>
<context>
    <name>sf::ui::HeadAtlasView</name>
    <message>
        <source>Rank the heads</source>
        <translation>给注意力头排名</translation>
    </message>
    <message>
        <source>rank</source>
        <translation>名次</translation>
    </message>
    <message>
        <source>This did not work: %1</source>
        <translation>操作没有成功：%1</translation>
    </message>
    <message>
        <source>agreement over </source>
        <translation>对齐一致度：</translation>
    </message>
    <message>
        <source> sentences</source>
        <translation> 个句子</translation>
    </message>
    <message>
        <source>Held-out sentences of the toy grammar scored against its gold word alignment</source>
        <translation>用玩具语法中留出的句子，按其标准词对齐来打分</translation>
    </message>
    <message>
        <source>switched off over </source>
        <translation>关闭注意力头：</translation>
    </message>
    <message>
        <source>Sentences translated again with each head switched off (the first ones of the batch; 2 + 2 × heads translations each, the source encoded once)</source>
        <translation>每关闭一个头就把这些句子重新翻译一遍（取这批句子的前几句；每句要做 2 + 2 × 头数 次翻译，源句只编码一次）</translation>
    </message>
    <message>
        <source>rank by agreement</source>
        <translation>按对齐一致度排序</translation>
    </message>
    <message>
        <source>rank by log p lost when off</source>
        <translation>按关闭后损失的 log p 排序</translation>
    </message>
    <message>
        <source>Score every cross-attention head against the gold word alignment and switch each off in turn</source>
        <translation>用标准词对齐给每个交叉注意力头打分，并依次关闭每个头</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Outline the gold alignment on cross-attention maps</source>
        <translation>在交叉注意力图上框出标准对齐</translation>
    </message>
    <message>
        <source>cross-attention
head</source>
        <translation>交叉注意力
头</translation>
    </message>
    <message>
        <source>agrees:
this sentence</source>
        <translation>一致度：
本句</translation>
    </message>
    <message>
        <source>agrees:
batch</source>
        <translation>一致度：
整批</translation>
    </message>
    <message>
        <source>off: tokens
changed here</source>
        <translation>关闭后：本句
改变的词元</translation>
    </message>
    <message>
        <source>off: outputs
changed</source>
        <translation>关闭后：输出
改变的比例</translation>
    </message>
    <message>
        <source>off: log p lost
per token</source>
        <translation>关闭后：每个词元
损失的 log p</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Agrees&lt;/b&gt;: teacher-forced on the reference translation (as in training), at the first piece of every target word, the head agrees when the source piece it weighs most belongs to a source word gold-aligned with that target word; the share of target words where it does.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Off&lt;/b&gt;: the head alone is switched off (its context is zero) and the sentence is translated again, greedily. &lt;i&gt;Outputs changed&lt;/i&gt;: the share of sentences whose translation y (without any intervention) changes. &lt;i&gt;Log p lost per token&lt;/i&gt;: the mean over the sentences of (log p(y | x) − log p&lt;sub&gt;off&lt;/sub&gt;(y | x)) / |y|, in nats, both teacher-forced on y; near 0: the head does not matter to this answer; negative: without it the model is surer of y.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;一致度&lt;/b&gt;：用参考译文做教师强制（和训练时一样），在每个目标词的第一个子词处，如果这个头权重最大的源子词属于与该目标词标准对齐的源词，就算一致；表中是一致的目标词所占的比例。&lt;/p&gt;&lt;p&gt;&lt;b&gt;关闭&lt;/b&gt;：只关闭这一个头（它的上下文向量为零），再用贪心解码重新翻译。&lt;i&gt;输出改变的比例&lt;/i&gt;：翻译结果 y（不做任何干预时的译文）发生变化的句子所占的比例。&lt;i&gt;每个词元损失的 log p&lt;/i&gt;：对所有句子求 (log p(y | x) − log p&lt;sub&gt;关闭&lt;/sub&gt;(y | x)) / |y| 的平均值，单位是奈特（nat），两者都在 y 上做教师强制；接近 0：这个头对这个答案无关紧要；为负：去掉它后模型对 y 反而更有把握。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Cancelled: nothing ranked.</source>
        <translation>已取消：没有排序结果。</translation>
    </message>
    <message>
        <source>layer %1, head %2</source>
        <translation>第 %1 层，第 %2 个头</translation>
    </message>
    <message>
        <source>&lt;p&gt;Over %1 target words of %2 held-out grammar sentences, cross-attention head &lt;b&gt;%3&lt;/b&gt; points at the aligned source word %4 of the time.&lt;/p&gt;</source>
        <translation>&lt;p&gt;在 %2 个留出的语法句子的 %1 个目标词上，交叉注意力头 &lt;b&gt;%3&lt;/b&gt; 有 %4 的时候指向对齐的源词。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Switched off, head &lt;b&gt;%1&lt;/b&gt; costs the most: over %2 sentences it changes %3 of the translations and takes %4 nats per token from the log-probability of the unablated translation.&lt;/p&gt;</source>
        <translation>&lt;p&gt;关闭后代价最大的是头 &lt;b&gt;%1&lt;/b&gt;：在 %2 个句子上，它让 %3 的译文发生变化，并让未干预译文的对数概率每个词元减少 %4 奈特。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;The current sentence has %1 target words with a gold alignment.&lt;/p&gt;</source>
        <translation>&lt;p&gt;当前句子有 %1 个带标准对齐的目标词。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;The current sentence is not in the toy grammar: no gold alignment for it (its ablation column still counts).&lt;/p&gt;</source>
        <translation>&lt;p&gt;当前句子不在玩具语法里：没有它的标准对齐（关闭注意力头那一列照样统计）。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Time: agreement %1 s, switching off %2 s.&lt;/p&gt;</source>
        <translation>&lt;p&gt;耗时：对齐一致度 %1 秒，关闭注意力头 %2 秒。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>sf::ui::HeatmapView</name>
    <message>
        <source>row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>masked: score set to −∞, weight exactly 0</source>
        <translation>已掩码：分数设为 −∞，权重正好为 0</translation>
    </message>
    <message>
        <source>score before the mask %1</source>
        <translation>掩码前的分数 %1</translation>
    </message>
    <message>
        <source>from score %1</source>
        <translation>来自分数 %1</translation>
    </message>
</context>
<context>
    <name>sf::ui::LabResources</name>
    <message>
        <source>this model names no toy grammar (no task in its examples.json): no gold alignment</source>
        <translation>这个模型没有指明玩具语法（它的 examples.json 里没有 task）：没有标准对齐</translation>
    </message>
    <message>
        <source>the %1 grammar&apos;s alignment is not laid on the model&apos;s pieces here (only en-fr and fr-en)</source>
        <translation>这里不把 %1 语法的对齐对应到模型的子词上（只支持 en-fr 和 fr-en）</translation>
    </message>
</context>
<context>
    <name>sf::ui::LabView</name>
    <message>
        <source>Decoding choices</source>
        <translation>解码方式</translation>
    </message>
    <message>
        <source>Teacher forcing</source>
        <translation>教师强制</translation>
    </message>
    <message>
        <source>Positions</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Scaling</source>
        <translation>缩放</translation>
    </message>
    <message>
        <source>Head atlas</source>
        <translation>注意力头图谱</translation>
    </message>
</context>
<context>
    <name>sf::ui::Language</name>
    <message>
        <source>unknown language &apos;%1&apos; (use en or zh_CN)</source>
        <translation>未知语言“%1”（请用 en 或 zh_CN）</translation>
    </message>
</context>
<context>
    <name>sf::ui::LessonView</name>
    <message>
        <source>%1: the model &apos;%2&apos; is not a bundled model or a directory</source>
        <translation>%1：模型“%2”既不是自带的模型，也不是一个目录</translation>
    </message>
    <message>
        <source>◀ Previous slide</source>
        <translation>◀ 上一页</translation>
    </message>
    <message>
        <source>Next slide ▶</source>
        <translation>下一页 ▶</translation>
    </message>
    <message>
        <source>✕ Close lesson</source>
        <translation>✕ 关闭课程</translation>
    </message>
    <message>
        <source>PageUp or ←</source>
        <translation>PageUp 或 ←</translation>
    </message>
    <message>
        <source>PageDown or →</source>
        <translation>PageDown 或 →</translation>
    </message>
    <message>
        <source>Lesson: %1</source>
        <translation>课程：%1</translation>
    </message>
    <message>
        <source>Slide %1 of %2</source>
        <translation>第 %1 页，共 %2 页</translation>
    </message>
</context>
<context>
    <name>sf::ui::MainWindow</name>
    <message>
        <source>Warning: %1</source>
        <translation>警告：%1</translation>
    </message>
    <message>
        <source>“%1” → “%2”   (%3 steps, translated in %4 ms)</source>
        <translation>“%1” → “%2”   （共 %3 步，翻译用时 %4 毫秒）</translation>
    </message>
    <message>
        <source>Stepformer — %1</source>
        <translation>Stepformer — %1</translation>
    </message>
    <message>
        <source>Model %1: %2</source>
        <translation>模型 %1：%2</translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation>错误：%1</translation>
    </message>
    <message>
        <source>Stepformer</source>
        <translation>Stepformer</translation>
    </message>
    <message>
        <source>This did not work:</source>
        <translation>操作没有成功：</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>模型结构</translation>
    </message>
    <message>
        <source>Explain</source>
        <translation>讲解</translation>
    </message>
    <message>
        <source>Decoding</source>
        <translation>解码过程</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Open a model directory</source>
        <translation>打开模型目录</translation>
    </message>
    <message>
        <source>Export view</source>
        <translation>导出视图</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Exported %1</source>
        <translation>已导出 %1</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>SVG image (*.svg)</source>
        <translation>SVG 图片 (*.svg)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open model…</source>
        <translation>打开模型(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>Export view as &amp;PNG…</source>
        <translation>导出视图为 &amp;PNG…</translation>
    </message>
    <message>
        <source>Export view as &amp;SVG…</source>
        <translation>导出视图为 &amp;SVG…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Presentation mode</source>
        <translation>演示模式(&amp;P)</translation>
    </message>
    <message>
        <source>Zoom &amp;in</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <source>Zoom &amp;out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Reset zoom</source>
        <translation>恢复原始大小(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Dark theme</source>
        <translation>深色主题(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Colour-blind-safe colormap (cividis)</source>
        <translation>色盲友好配色 (cividis)(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Animations</source>
        <translation>动画(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Show the &amp;Weights tab</source>
        <translation>显示“权重”标签页(&amp;W)</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>→ / PageDown: next step
← / PageUp: previous step
Home / End: first / last step
Space: play / pause
F5: presentation mode
Ctrl +/−/0: zoom
Ctrl+O: open a model
Ctrl+E: export the view as PNG</source>
        <translation>→ / PageDown：下一步
← / PageUp：上一步
Home / End：第一步 / 最后一步
空格：播放 / 暂停
F5：演示模式
Ctrl +/−/0：缩放
Ctrl+O：打开模型
Ctrl+E：把视图导出为 PNG</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>Sentence</source>
        <translation>句子</translation>
    </message>
    <message>
        <source> Sentence: </source>
        <translation> 句子：</translation>
    </message>
    <message>
        <source>  beam </source>
        <translation>  束宽 </translation>
    </message>
    <message>
        <source>Beam width (1 = greedy decoding)</source>
        <translation>束搜索的宽度（1 = 贪心解码）</translation>
    </message>
    <message>
        <source>Translate</source>
        <translation>翻译</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>First step (Home)</source>
        <translation>第一步 (Home)</translation>
    </message>
    <message>
        <source>Previous step (←, PageUp)</source>
        <translation>上一步（←，PageUp）</translation>
    </message>
    <message>
        <source>Play / pause (Space)</source>
        <translation>播放 / 暂停（空格）</translation>
    </message>
    <message>
        <source>Next step (→, PageDown)</source>
        <translation>下一步（→，PageDown）</translation>
    </message>
    <message>
        <source>Last step (End)</source>
        <translation>最后一步 (End)</translation>
    </message>
    <message>
        <source>  speed </source>
        <translation>  速度 </translation>
    </message>
    <message>
        <source>%1 steps/s</source>
        <translation>每秒 %1 步</translation>
    </message>
    <message>
        <source>  granularity </source>
        <translation>  粒度 </translation>
    </message>
    <message>
        <source>fine: every operation</source>
        <translation>细：每个运算</translation>
    </message>
    <message>
        <source>coarse: blocks and tokens</source>
        <translation>粗：按模块和词元</translation>
    </message>
    <message>
        <source>Open a model first (File &gt; Open model…).</source>
        <translation>请先打开一个模型（文件 &gt; 打开模型…）。</translation>
    </message>
    <message>
        <source> step %1 / %2</source>
        <translation> 第 %1 / %2 步</translation>
    </message>
    <message>
        <source>%1: cannot write the SVG file</source>
        <translation>%1：无法写入 SVG 文件</translation>
    </message>
    <message>
        <source>%1: cannot write the image (use .png or .svg)</source>
        <translation>%1：无法写入图片（请用 .png 或 .svg）</translation>
    </message>
    <message>
        <source>Comparison</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>&amp;Lab</source>
        <translation>实验(&amp;L)</translation>
    </message>
    <message>
        <source>Switch &amp;off this head (or back on)</source>
        <translation>关掉这个头（或重新打开）(&amp;O)</translation>
    </message>
    <message>
        <source>Switch off &amp;all heads of this layer</source>
        <translation>关掉这一层的所有头(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Clear interventions</source>
        <translation>清除所有干预(&amp;C)</translation>
    </message>
    <message>
        <source>No &amp;positional encoding</source>
        <translation>不加位置编码(&amp;P)</translation>
    </message>
    <message>
        <source>No 1/√d_k &amp;scaling</source>
        <translation>不做 1/√d_k 缩放(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Teacher forcing without the causal mask (the model cheats)</source>
        <translation>去掉因果掩码的教师强制（模型作弊）(&amp;T)</translation>
    </message>
    <message>
        <source>Back to &amp;free running (token by token)</source>
        <translation>回到自由生成（逐个词元）(&amp;F)</translation>
    </message>
    <message>
        <source>Show &amp;differences on the heatmaps (after − before)</source>
        <translation>在热力图上显示差值（之后 − 之前）(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Undo intervention</source>
        <translation>撤销干预(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo intervention</source>
        <translation>重做干预(&amp;R)</translation>
    </message>
    <message>
        <source>%1: cannot write the file (%2)</source>
        <translation>%1：无法写入文件（%2）</translation>
    </message>
    <message>
        <source>Lab</source>
        <translation>实验</translation>
    </message>
    <message>
        <source>Decoding &amp;choices: greedy, beam tree, sampling temperature</source>
        <translation>解码方式：贪心、束搜索树、采样温度(&amp;C)</translation>
    </message>
    <message>
        <source>Teacher &amp;forcing vs free running</source>
        <translation>教师强制与自由生成对比(&amp;F)</translation>
    </message>
    <message>
        <source>Positions la&amp;b: PE similarity, word order</source>
        <translation>位置实验：位置编码相似度、词序(&amp;B)</translation>
    </message>
    <message>
        <source>Scaling lab: &amp;entropy with and without 1/√d_k</source>
        <translation>缩放实验：有无 1/√d_k 时的熵(&amp;E)</translation>
    </message>
    <message>
        <source>Head &amp;atlas: cross-attention heads vs the gold alignment</source>
        <translation>注意力头图谱：交叉注意力头与标准对齐对比(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>训练(&amp;T)</translation>
    </message>
    <message>
        <source>Training &amp;studio…</source>
        <translation>训练工作室(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>打开 %1</translation>
    </message>
    <message>
        <source>Outline the &amp;gold alignment on cross-attention maps</source>
        <translation>在交叉注意力图上框出标准对齐(&amp;G)</translation>
    </message>
    <message>
        <source>Predict</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>1 step/s</source>
        <translation>每秒 1 步</translation>
    </message>
</context>
<context>
    <name>sf::ui::PanelExport</name>
    <message>
        <source>%1: cannot write the SVG file</source>
        <translation>%1：无法写入 SVG 文件</translation>
    </message>
    <message>
        <source>%1: cannot encode the PNG image</source>
        <translation>%1：无法编码 PNG 图片</translation>
    </message>
    <message>
        <source>%1: a panel is exported as .png or .svg</source>
        <translation>%1：面板只能导出为 .png 或 .svg</translation>
    </message>
    <message>
        <source>%1: cannot write the file (%2)</source>
        <translation>%1：无法写入文件（%2）</translation>
    </message>
    <message>
        <source>Export panel as &amp;PNG…</source>
        <translation>将面板导出为 PNG(&amp;P)…</translation>
    </message>
    <message>
        <source>Export panel as &amp;SVG…</source>
        <translation>将面板导出为 SVG(&amp;S)…</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>SVG image (*.svg)</source>
        <translation>SVG 图片 (*.svg)</translation>
    </message>
    <message>
        <source>Export panel</source>
        <translation>导出面板</translation>
    </message>
</context>
<context>
    <name>sf::ui::PositionsView</name>
    <message>
        <source>Positions on / off</source>
        <translation>位置编码 开 / 关</translation>
    </message>
    <message>
        <source>Encode and translate both sentences with and without positional encoding</source>
        <translation>在有和没有位置编码的情况下分别编码并翻译这两句话</translation>
    </message>
    <message>
        <source>Dimensions to plot, separated by commas</source>
        <translation>要画出的维度，用逗号分隔</translation>
    </message>
    <message>
        <source>Open a model to see its positional encoding.</source>
        <translation>打开一个模型即可看到它的位置编码。</translation>
    </message>
    <message>
        <source>PE(i) · PE(j)</source>
        <translation>PE(i) · PE(j)</translation>
    </message>
    <message>
        <source>position i</source>
        <translation>位置 i</translation>
    </message>
    <message>
        <source>position j</source>
        <translation>位置 j</translation>
    </message>
    <message>
        <source>dot product</source>
        <translation>点积</translation>
    </message>
    <message>
        <source>dimension %1</source>
        <translation>第 %1 维</translation>
    </message>
    <message>
        <source>position</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>PE(position, dimension)</source>
        <translation>PE(位置, 维度)</translation>
    </message>
    <message>
        <source>Left: every position&apos;s encoding dotted with every other&apos;s. Along each diagonal (fixed distance j − i) the value is the same: PE(i) · PE(i + k) = Σ cos(k ω), so attention can read relative distance. Right: low dimensions wave fast, high ones slowly. The encoding is added to the embedding, not concatenated: d stays %1 and the model learns to keep word and position apart in the same space.</source>
        <translation>左图：每个位置的编码与其他每个位置的编码做点积。沿每条对角线（距离 j − i 固定）数值都相同：PE(i) · PE(i + k) = Σ cos(k ω)，所以注意力能读出相对距离。右图：低维波动快，高维波动慢。位置编码是加到词嵌入上，而不是拼接：d 仍是 %1，模型学会在同一个空间里把词和位置区分开。</translation>
    </message>
    <message>
        <source>Running four translations…</source>
        <translation>正在运行四次翻译…</translation>
    </message>
    <message>
        <source>This did not work: %1</source>
        <translation>操作没有成功：%1</translation>
    </message>
    <message>
        <source>Without positions the encoder sees a bag of words: try two orders of the same words.</source>
        <translation>没有位置编码时，编码器看到的只是一袋词：试试同样的词换两种顺序。</translation>
    </message>
    <message>
        <source>&lt;b&gt;With positions:&lt;/b&gt; “%1” → “%2”, “%3” → “%4”; the encoder outputs differ by up to %5 even after matching the words.&lt;br&gt;&lt;b&gt;Without positions:&lt;/b&gt; “%1” → “%6”, “%3” → “%7”; the encoder outputs are the same up to the permutation of the words (largest difference %8): attention alone cannot tell who sees whom.</source>
        <translation>&lt;b&gt;有位置编码：&lt;/b&gt;“%1” → “%2”，“%3” → “%4”；即使把词一一对齐，编码器输出仍相差最多 %5。&lt;br&gt;&lt;b&gt;没有位置编码：&lt;/b&gt;“%1” → “%6”，“%3” → “%7”；编码器输出在词的置换意义下完全相同（最大差 %8）：单靠注意力分不清谁看见了谁。</translation>
    </message>
</context>
<context>
    <name>sf::ui::PredictView</name>
    <message>
        <source>Yes, the output changes</source>
        <translation>会，输出会改变</translation>
    </message>
    <message>
        <source>No, it stays the same</source>
        <translation>不会，输出保持不变</translation>
    </message>
    <message>
        <source>Predict, then reveal</source>
        <translation>先预测，再揭晓</translation>
    </message>
    <message>
        <source>Show answer</source>
        <translation>显示答案</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查</translation>
    </message>
</context>
<context>
    <name>sf::ui::QuizDialog</name>
    <message>
        <source>Concept quiz</source>
        <translation>概念小测验</translation>
    </message>
    <message>
        <source>Answer each question aloud or on paper first, then show the answer.</source>
        <translation>先口头或在纸上回答每个问题，再显示答案。</translation>
    </message>
    <message>
        <source>Show answer</source>
        <translation>显示答案</translation>
    </message>
</context>
<context>
    <name>sf::ui::ScalingView</name>
    <message>
        <source>encoder layer %1 · self-attention</source>
        <translation>编码器第 %1 层 · 自注意力</translation>
    </message>
    <message>
        <source>decoder layer %1 · masked self-attention</source>
        <translation>解码器第 %1 层 · 掩码自注意力</translation>
    </message>
    <message>
        <source>decoder layer %1 · cross-attention</source>
        <translation>解码器第 %1 层 · 交叉注意力</translation>
    </message>
    <message>
        <source>With / without 1/√d_k</source>
        <translation>有 / 无 1/√d_k</translation>
    </message>
    <message>
        <source>Run the current sentence with and without the scaling</source>
        <translation>在有和没有缩放的情况下分别运行当前句子</translation>
    </message>
    <message>
        <source>head </source>
        <translation>头 </translation>
    </message>
    <message>
        <source>Running three passes…</source>
        <translation>正在运行三次前向计算…</translation>
    </message>
    <message>
        <source>This did not work: %1</source>
        <translation>操作没有成功：%1</translation>
    </message>
    <message>
        <source>Scores q·k grow with d_k (a sum of d_k products); divided by √d_k they keep a unit scale. Press the button to see what the softmax does without it.</source>
        <translation>分数 q·k 随 d_k 增大（它是 d_k 个乘积之和）；除以 √d_k 后保持单位尺度。点击按钮，看看没有缩放时 softmax 会怎样。</translation>
    </message>
    <message>
        <source>log₂(keys): spread evenly</source>
        <translation>log₂(键数)：均匀分布</translation>
    </message>
    <message>
        <source>softmax(q·k / √d_k)</source>
        <translation>softmax(q·k / √d_k)</translation>
    </message>
    <message>
        <source>softmax(q·k), no scaling</source>
        <translation>softmax(q·k)，不缩放</translation>
    </message>
    <message>
        <source>query row</source>
        <translation>查询行</translation>
    </message>
    <message>
        <source>entropy (bits)</source>
        <translation>熵（比特）</translation>
    </message>
    <message>
        <source>Head %1: mean entropy %2 bits with the scaling, %3 bits without. Rows collapsed onto one key (largest weight &gt; %4): %5 of %6 with, %7 of %6 without. Scores √d_k = %8 times larger push the softmax toward a one-hot choice, where its gradient vanishes. Translation with scaling: “%9”; without: “%10”.</source>
        <translation>第 %1 个头：有缩放时平均熵 %2 比特，没有时 %3 比特。塌缩到单个键上的行（最大权重 &gt; %4）：有缩放时 %6 行中有 %5 行，没有时 %6 行中有 %7 行。分数放大 √d_k = %8 倍，会把 softmax 推向独热选择，那里的梯度几乎为零。有缩放的译文：“%9”；没有缩放：“%10”。</translation>
    </message>
    <message>
        <source>collapsed onto one key (no scaling)</source>
        <translation>塌缩到单个键上（不缩放）</translation>
    </message>
</context>
<context>
    <name>sf::ui::ShareActions</name>
    <message>
        <source>&amp;Save session…</source>
        <translation>保存会话(&amp;S)…</translation>
    </message>
    <message>
        <source>Open sessio&amp;n…</source>
        <translation>打开会话(&amp;N)…</translation>
    </message>
    <message>
        <source>Export &amp;animation (GIF)…</source>
        <translation>导出动画 GIF(&amp;A)…</translation>
    </message>
    <message>
        <source>Export &amp;worksheet (PDF)…</source>
        <translation>导出练习单 PDF(&amp;W)…</translation>
    </message>
    <message>
        <source>Save session</source>
        <translation>保存会话</translation>
    </message>
    <message>
        <source>Stepformer session (*.json)</source>
        <translation>Stepformer 会话 (*.json)</translation>
    </message>
    <message>
        <source>Saved the session to %1</source>
        <translation>会话已保存到 %1</translation>
    </message>
    <message>
        <source>Open session</source>
        <translation>打开会话</translation>
    </message>
    <message>
        <source>Opened the session %1</source>
        <translation>已打开会话 %1</translation>
    </message>
    <message>
        <source>Export animation</source>
        <translation>导出动画</translation>
    </message>
    <message>
        <source>Translate a sentence first.</source>
        <translation>请先翻译一个句子。</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> 毫秒</translation>
    </message>
    <message>
        <source>From step</source>
        <translation>起始步骤</translation>
    </message>
    <message>
        <source>To step</source>
        <translation>结束步骤</translation>
    </message>
    <message>
        <source>Each frame shown for</source>
        <translation>每帧显示时长</translation>
    </message>
    <message>
        <source>GIF animation (*.gif)</source>
        <translation>GIF 动画 (*.gif)</translation>
    </message>
    <message>
        <source>Rendering the steps…</source>
        <translation>正在渲染各个步骤…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Rendering step %1 of %2…</source>
        <translation>正在渲染第 %1 帧（共 %2 帧）…</translation>
    </message>
    <message>
        <source>Exported %1 frames to %2</source>
        <translation>已将 %1 帧导出到 %2</translation>
    </message>
    <message>
        <source>Export worksheet</source>
        <translation>导出练习单</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>Exported the worksheet to %1</source>
        <translation>练习单已导出到 %1</translation>
    </message>
</context>
<context>
    <name>sf::ui::StageView</name>
    <message>
        <source>Type a sentence and press Translate.</source>
        <translation>输入一句话，然后点击“翻译”。</translation>
    </message>
    <message>
        <source>Open a model to begin.</source>
        <translation>先打开一个模型。</translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>警告：%1</translation>
    </message>
    <message>
        <source>Concat(heads) W_O  [tokens × d_model]</source>
        <translation>Concat(heads) W_O  [词元 × d_model]</translation>
    </message>
    <message>
        <source>hidden = act(x W₁ᵀ + b₁)  [tokens × d_ff]</source>
        <translation>hidden = act(x W₁ᵀ + b₁)  [词元 × d_ff]</translation>
    </message>
    <message>
        <source>FFN(x) = hidden W₂ᵀ + b₂  [tokens × d_model]</source>
        <translation>FFN(x) = hidden W₂ᵀ + b₂  [词元 × d_model]</translation>
    </message>
    <message>
        <source>memory: the encoder output read by every cross-attention  [source × d_model]</source>
        <translation>记忆：编码器的输出，每个交叉注意力都读取它  [源句 × d_model]</translation>
    </message>
    <message>
        <source>The sentence</source>
        <translation>句子</translation>
    </message>
    <message>
        <source>position</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>piece</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>id</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>embedding rows E[id] × √d_model, one strip per piece</source>
        <translation>词嵌入行 E[id] × √d_model，每个词元一条</translation>
    </message>
    <message>
        <source>dimension</source>
        <translation>维度</translation>
    </message>
    <message>
        <source>x = E[id] × √%1 = E[id] × %2  [tokens × d_model]</source>
        <translation>x = E[id] × √%1 = E[id] × %2  [词元 × d_model]</translation>
    </message>
    <message>
        <source>x = E[id]  [tokens × d_model]</source>
        <translation>x = E[id]  [词元 × d_model]</translation>
    </message>
    <message>
        <source>token</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>dim %1 (%2)</source>
        <translation>第 %1 维 (%2)</translation>
    </message>
    <message>
        <source>embedding × √d</source>
        <translation>词嵌入 × √d</translation>
    </message>
    <message>
        <source>+ positional encoding</source>
        <translation>+ 位置编码</translation>
    </message>
    <message>
        <source>= encoder/decoder input</source>
        <translation>= 编码器/解码器输入</translation>
    </message>
    <message>
        <source>unit</source>
        <translation>单元</translation>
    </message>
    <message>
        <source>sublayer output</source>
        <translation>子层输出</translation>
    </message>
    <message>
        <source>x + Sublayer(LayerNorm(x))</source>
        <translation>x + Sublayer(LayerNorm(x))</translation>
    </message>
    <message>
        <source>LayerNorm(x + Sublayer(x))</source>
        <translation>LayerNorm(x + Sublayer(x))</translation>
    </message>
    <message>
        <source>weights × V, per head</source>
        <translation>权重 × V，每个头</translation>
    </message>
    <message>
        <source>K = memory W_Kᵀ + b_K</source>
        <translation>K = 记忆 W_Kᵀ + b_K</translation>
    </message>
    <message>
        <source>V = memory W_Vᵀ + b_V</source>
        <translation>V = 记忆 W_Vᵀ + b_V</translation>
    </message>
    <message>
        <source>   [tokens × d_model]</source>
        <translation>   [词元 × d_model]</translation>
    </message>
    <message>
        <source>%1 · head %2</source>
        <translation>%1 · 第 %2 个头</translation>
    </message>
    <message>
        <source>column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>query</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>score</source>
        <translation>分数</translation>
    </message>
    <message>
        <source>scores = Q Kᵀ / √%1</source>
        <translation>分数 = Q Kᵀ / √%1</translation>
    </message>
    <message>
        <source>masked scores: −∞ above the diagonal</source>
        <translation>掩码后的分数：对角线上方为 −∞</translation>
    </message>
    <message>
        <source>scores, unmasked: this forward had no causal mask</source>
        <translation>分数，未掩码：这次前向计算没有因果掩码</translation>
    </message>
    <message>
        <source>weights = softmax(scores)</source>
        <translation>权重 = softmax(分数)</translation>
    </message>
    <message>
        <source>head %1 · %2</source>
        <translation>第 %1 个头 · %2</translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>第 %1 个头</translation>
    </message>
    <message>
        <source>Decoder input at step %1 (the outputs shifted right by one):</source>
        <translation>第 %1 步的解码器输入（输出右移一位）：</translation>
    </message>
    <message>
        <source>ids</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>their embeddings × √d_model</source>
        <translation>它们的词嵌入 × √d_model</translation>
    </message>
    <message>
        <source>logit</source>
        <translation>logit</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>Chosen: &lt;b&gt;%1&lt;/b&gt; (id %2), p = %3. It is appended to the output and becomes the decoder input of step %4.</source>
        <translation>选中：&lt;b&gt;%1&lt;/b&gt;（编号 %2），p = %3。它被接到输出末尾，并成为第 %4 步的解码器输入。</translation>
    </message>
    <message>
        <source>The %1 largest of %2 logits at step %3.</source>
        <translation>第 %3 步时 %2 个 logit 中最大的 %1 个。</translation>
    </message>
    <message>
        <source>The %1 most probable of %2 tokens at step %3.</source>
        <translation>第 %3 步时 %2 个词元中概率最大的 %1 个。</translation>
    </message>
    <message>
        <source>scores = Q Kᵀ (not divided by √%1: no-scale)</source>
        <translation>得分 = Q Kᵀ（未除以 √%1：已去掉缩放）</translation>
    </message>
    <message>
        <source>after − before: %1</source>
        <translation>之后 − 之前：%1</translation>
    </message>
    <message>
        <source>difference</source>
        <translation>差值</translation>
    </message>
    <message>
        <source>%1 · head %2 (off)</source>
        <translation>%1 · 第 %2 个头（已关）</translation>
    </message>
    <message>
        <source>head %1 (switched off) · %2</source>
        <translation>第 %1 个头（已关掉）· %2</translation>
    </message>
    <message>
        <source>  (after − before)</source>
        <translation>  （之后 − 之前）</translation>
    </message>
    <message>
        <source>head %1 (off)</source>
        <translation>第 %1 个头（已关）</translation>
    </message>
    <message>
        <source>click to enlarge head %1; Ctrl+click to switch it off or on</source>
        <translation>点击放大第 %1 个头；按住 Ctrl 点击可关掉或重新打开它</translation>
    </message>
    <message>
        <source>Chosen: &lt;b&gt;%1&lt;/b&gt; (id %2), p = %3. It is the end-of-sentence token: the translation is finished and decoding stops here, after %4 tokens.</source>
        <translation>选中：&lt;b&gt;%1&lt;/b&gt;（编号 %2），p = %3。它是句末标记：译文已经完整，解码在此停止，共输出 %4 个词元。</translation>
    </message>
    <message>
        <source>Chosen: &lt;b&gt;%1&lt;/b&gt; (id %2), p = %3. Decoding stops here: the output has reached its maximum length of %4 tokens.</source>
        <translation>选中：&lt;b&gt;%1&lt;/b&gt;（编号 %2），p = %3。解码在此停止：输出已达到最大长度 %4 个词元。</translation>
    </message>
    <message>
        <source>x: the input of the sublayer</source>
        <translation>x：子层的输入</translation>
    </message>
    <message>
        <source>Sublayer(LayerNorm(x))</source>
        <translation>Sublayer(LayerNorm(x))</translation>
    </message>
    <message>
        <source>Sublayer(x)</source>
        <translation>Sublayer(x)</translation>
    </message>
    <message>
        <source>x + Sublayer(x)</source>
        <translation>x + Sublayer(x)</translation>
    </message>
    <message>
        <source>rows of x + Sublayer(LayerNorm(x))</source>
        <translation>x + Sublayer(LayerNorm(x)) 的各行</translation>
    </message>
    <message>
        <source>rows of x + Sublayer(x)</source>
        <translation>x + Sublayer(x) 的各行</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>std</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>No gold alignment to outline: %1</source>
        <translation>没有可框出的标准对齐：%1</translation>
    </message>
    <message>
        <source>outlined: the gold alignment (this row predicts a piece of a word aligned with this source word)</source>
        <translation>带框：标准对齐（这一行预测的子词所属的词与这个源词对齐）</translation>
    </message>
    <message>
        <source> · outlined: gold alignment of the piece each row predicts</source>
        <translation> · 带框：每行所预测子词的标准对齐</translation>
    </message>
    <message>
        <source>hidden = ReLU(x W₁ᵀ + b₁)  [tokens × d_ff]</source>
        <translation>hidden = ReLU(x W₁ᵀ + b₁)  [词元 × d_ff]</translation>
    </message>
    <message>
        <source>result: x + Sublayer(LayerNorm(x))</source>
        <translation>结果：x + Sublayer(LayerNorm(x))</translation>
    </message>
</context>
<context>
    <name>sf::ui::StrategyPanel</name>
    <message>
        <source>greedy</source>
        <translation>贪心</translation>
    </message>
    <message>
        <source>beam search</source>
        <translation>束搜索</translation>
    </message>
    <message>
        <source>sampling</source>
        <translation>采样</translation>
    </message>
    <message>
        <source>How the next token is chosen from the probabilities</source>
        <translation>如何根据概率选出下一个词元</translation>
    </message>
    <message>
        <source>width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <source>length penalty</source>
        <translation>长度惩罚</translation>
    </message>
    <message>
        <source>Beam search scores a finished output log P / length^A. A = 0 compares total log-probabilities (short outputs win); A &gt; 0 favours longer ones.</source>
        <translation>束搜索给完成的输出打分 log P / length^A。A = 0 时直接比较总对数概率（短输出占优）；A &gt; 0 偏向更长的输出。</translation>
    </message>
    <message>
        <source>temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Sampling draws from softmax(logits / T): T &lt; 1 sharpens, T &gt; 1 flattens. The bars follow at once; the logits do not change.</source>
        <translation>采样从 softmax(logits / T) 中抽取：T &lt; 1 使分布更尖，T &gt; 1 使分布更平。柱状图立即跟着变化；logits 不变。</translation>
    </message>
    <message>
        <source>top-k</source>
        <translation>top-k</translation>
    </message>
    <message>
        <source>Keep only the k most probable tokens (0 = all)</source>
        <translation>只保留概率最大的 k 个词元（0 = 全部）</translation>
    </message>
    <message>
        <source>top-p</source>
        <translation>top-p</translation>
    </message>
    <message>
        <source>Keep the most probable tokens until their mass reaches p (1 = all)</source>
        <translation>按概率从大到小保留词元，直到总概率达到 p（1 = 全部）</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Decode</source>
        <translation>解码</translation>
    </message>
    <message>
        <source>Translate again with this decoding</source>
        <translation>用这种解码方式重新翻译</translation>
    </message>
    <message>
        <source>Sample again</source>
        <translation>再采样一次</translation>
    </message>
    <message>
        <source>Sampling with the next seed</source>
        <translation>用下一个随机种子采样</translation>
    </message>
</context>
<context>
    <name>sf::ui::TemperatureView</name>
    <message>
        <source>Translate a sentence to see its next-token distributions.</source>
        <translation>翻译一句话，即可看到它每一步的下一个词元分布。</translation>
    </message>
    <message>
        <source>p = softmax(logits)</source>
        <translation>p = softmax(logits)</translation>
    </message>
    <message>
        <source>sampled from: T = %1, top-k %2, top-p %3</source>
        <translation>采样分布：T = %1，top-k %2，top-p %3</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Step %1: grey = the model&apos;s probabilities, green = the distribution sampling draws from at temperature %2, p = softmax(logits / T). The logits are the same for every T: only the shape changes (T → 0 is greedy).</source>
        <translation>第 %1 步：灰色 = 模型的概率，绿色 = 温度 %2 下采样所用的分布，p = softmax(logits / T)。无论 T 取多少，logits 都一样：变的只是分布的形状（T → 0 即贪心）。</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>概率</translation>
    </message>
</context>
<context>
    <name>sf::ui::TrainingStudio</name>
    <message>
        <source>Positional encoding: with vs without (reverse)</source>
        <translation>位置编码：有与无（反转）</translation>
    </message>
    <message>
        <source>Without positions the encoder sees a bag of tokens: every row of its output is the same function of the same set, whatever the order. It can copy what is there but cannot say where it was, so it cannot reverse. Expect the run with positions to reach nearly 100% held-out exact match and the run without to stay below 30%.</source>
        <translation>没有位置编码时，编码器看到的只是一袋词元：无论顺序如何，它输出的每一行都是同一集合的同一个函数。它能复制有哪些词元，却说不出它们在哪里，所以无法反转。预期：有位置编码的训练在留出集上的完全匹配率接近 100%，没有位置编码的保持在 30% 以下。</translation>
    </message>
    <message>
        <source>with positions</source>
        <translation>有位置编码</translation>
    </message>
    <message>
        <source>without positions</source>
        <translation>无位置编码</translation>
    </message>
    <message>
        <source>Causal mask: on vs off (reverse)</source>
        <translation>因果掩码：开与关（反转）</translation>
    </message>
    <message>
        <source>Without the mask, position t of the decoder sees the target token it must predict (the input is the target shifted right, so token t is the input at t + 1). It learns to copy it: its training loss falls below the masked run&apos;s. Used on its own, token by token, there is no next token to copy, and its held-out exact match stays near 0.</source>
        <translation>没有掩码时，解码器的位置 t 能看到它要预测的目标词元（输入是右移一位的目标，所以第 t 个词元就是位置 t + 1 的输入）。它学会了照抄：训练损失低于有掩码的训练。可真正逐词元单独使用时，没有下一个词元可抄，它在留出集上的完全匹配率停在 0 附近。</translation>
    </message>
    <message>
        <source>masked</source>
        <translation>有掩码</translation>
    </message>
    <message>
        <source>unmasked</source>
        <translation>无掩码</translation>
    </message>
    <message>
        <source>1 head</source>
        <translation>1 个头</translation>
    </message>
    <message>
        <source>4 heads</source>
        <translation>4 个头</translation>
    </message>
    <message>
        <source>1 layer</source>
        <translation>1 层</translation>
    </message>
    <message>
        <source>3 layers</source>
        <translation>3 层</translation>
    </message>
    <message>
        <source>Scaling: with vs without 1/√d_k (d_model 256)</source>
        <translation>缩放：有与无 1/√d_k（d_model 256）</translation>
    </message>
    <message>
        <source>With d_k = 64 the dot products q·k grow like √64 = 8 times the typical entry. Without the 1/√d_k factor the softmax saturates: one key takes all the weight and the gradient through the others vanishes, so learning is slower and less stable.</source>
        <translation>d_k = 64 时，点积 q·k 大约是单个分量典型大小的 √64 = 8 倍。没有 1/√d_k 因子，softmax 会饱和：一个键拿走全部权重，经过其他键的梯度消失，所以学习更慢、更不稳定。</translation>
    </message>
    <message>
        <source>scaled</source>
        <translation>有缩放</translation>
    </message>
    <message>
        <source>unscaled</source>
        <translation>无缩放</translation>
    </message>
    <message>
        <source>Training studio — Stepformer</source>
        <translation>训练工作室 — Stepformer</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Resume last run</source>
        <translation>继续上次训练</translation>
    </message>
    <message>
        <source>Continue the last run&apos;s saved checkpoint up to Steps</source>
        <translation>从上次训练保存的检查点继续，直到“步数”</translation>
    </message>
    <message>
        <source>Open in the step-through window</source>
        <translation>在逐步窗口中打开</translation>
    </message>
    <message>
        <source>Pauses, saves and opens the model in the main window</source>
        <translation>暂停、保存，并在主窗口中打开模型</translation>
    </message>
    <message>
        <source>Ctrl+Return</source>
        <translation>Ctrl+Return</translation>
    </message>
    <message>
        <source>Space</source>
        <translation>空格</translation>
    </message>
    <message>
        <source>Period (.)</source>
        <translation>句点 (.)</translation>
    </message>
    <message>
        <source>Esc: stops and saves the checkpoint</source>
        <translation>Esc：停止并保存检查点</translation>
    </message>
    <message>
        <source>Pick a task and an architecture, then Start (Ctrl+Return).</source>
        <translation>选择任务和架构，然后点“开始”（Ctrl+Return）。</translation>
    </message>
    <message>
        <source>Loss (solid: training, dashed: held-out)</source>
        <translation>损失（实线：训练，虚线：留出集）</translation>
    </message>
    <message>
        <source>loss / token</source>
        <translation>每词元损失</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>lrate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Gradient norm per layer (last step)</source>
        <translation>每层梯度范数（最近一步）</translation>
    </message>
    <message>
        <source>‖g‖</source>
        <translation>‖g‖</translation>
    </message>
    <message>
        <source>Three fixed held-out inputs and what the model says, every evaluation.</source>
        <translation>三个固定的留出输入，以及每次评估时模型的输出。</translation>
    </message>
    <message>
        <source>Scrub through the saved snapshots: watch the alignment emerge.</source>
        <translation>拖动浏览保存的快照：看对齐如何出现。</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>已保存到 %1</translation>
    </message>
    <message>
        <source>reverse</source>
        <translation>反转</translation>
    </message>
    <message>
        <source>copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>sort</source>
        <translation>排序</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>Heads</source>
        <translation>头数</translation>
    </message>
    <message>
        <source>d_model</source>
        <translation>d_model</translation>
    </message>
    <message>
        <source>Feed-forward size</source>
        <translation>前馈层大小</translation>
    </message>
    <message>
        <source>Positional encoding</source>
        <translation>位置编码</translation>
    </message>
    <message>
        <source>Causal mask in the decoder</source>
        <translation>解码器中的因果掩码</translation>
    </message>
    <message>
        <source>Scale scores by 1/√d_k</source>
        <translation>分数乘以 1/√d_k</translation>
    </message>
    <message>
        <source>Pre-norm (LayerNorm before each sublayer)</source>
        <translation>前置归一化（每个子层之前做 LayerNorm）</translation>
    </message>
    <message>
        <source>Warmup steps</source>
        <translation>预热步数</translation>
    </message>
    <message>
        <source>Learning-rate scale</source>
        <translation>学习率倍数</translation>
    </message>
    <message>
        <source>Label smoothing</source>
        <translation>标签平滑</translation>
    </message>
    <message>
        <source>Dropout</source>
        <translation>Dropout</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Evaluate every</source>
        <translation>评估间隔</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>The schedule you will train with</source>
        <translation>将要使用的学习率计划</translation>
    </message>
    <message>
        <source>&lt;b&gt;Experiments&lt;/b&gt;: two runs that differ in one thing, curves overlaid.</source>
        <translation>&lt;b&gt;实验&lt;/b&gt;：只差一处的两次训练，曲线叠在一起。</translation>
    </message>
    <message>
        <source>Run experiment</source>
        <translation>运行实验</translation>
    </message>
    <message>
        <source>run %1</source>
        <translation>第 %1 次训练</translation>
    </message>
    <message>
        <source>Cannot start: %1</source>
        <translation>无法开始：%1</translation>
    </message>
    <message>
        <source>Training %1…</source>
        <translation>正在训练 %1…</translation>
    </message>
    <message>
        <source>resumed run</source>
        <translation>继续的训练</translation>
    </message>
    <message>
        <source>Paused at step %1. Step (.) trains one step.</source>
        <translation>已暂停在第 %1 步。“单步”（.）训练一步。</translation>
    </message>
    <message>
        <source>Training…</source>
        <translation>训练中…</translation>
    </message>
    <message>
        <source>Cross-attention, last layer, mean of the heads — step %1</source>
        <translation>交叉注意力，最后一层，各头平均 — 第 %1 步</translation>
    </message>
    <message>
        <source>decoder input</source>
        <translation>解码器输入</translation>
    </message>
    <message>
        <source>source</source>
        <translation>源</translation>
    </message>
    <message>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>%1: %2 · held-out exact match %3% · saved in %4</source>
        <translation>%1：%2 · 留出集完全匹配率 %3% · 保存在 %4</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Heads: 1 vs 4 (en-fr)</source>
        <translation>头数：1 个 vs 4 个（英→法）</translation>
    </message>
    <message>
        <source>The same d_model split into 1 or 4 heads: the same number of parameters. With 4 heads one decoder position can look at several source words at once (the noun and its article for le/la, the subject for the verb&apos;s ending). Watch the held-out exact match and the cross-attention map: which run&apos;s alignment is sharper, and which learns sooner.</source>
        <translation>同样的 d_model 分成 1 个或 4 个头：参数个数完全相同。有 4 个头时，解码器的一个位置可以同时关注多个源语言词（选 le/la 时看名词和它的冠词，选动词词尾时看主语）。请观察留出集的完全匹配率和交叉注意力图：哪一次训练的对齐更清晰，哪一次学得更快。</translation>
    </message>
    <message>
        <source>Layers: 1 vs 3 (en-fr)</source>
        <translation>层数：1 层 vs 3 层（英→法）</translation>
    </message>
    <message>
        <source>One layer per stack can look once; three can look, combine and look again (agreement needs the subject found first, then the verb&apos;s form chosen). More layers cost more time per step: compare the curves against the step axis and the steps per second in the status line.</source>
        <translation>每个堆栈只有 1 层时只能“看”一次；3 层可以看、组合、再看（主谓一致需要先找到主语，再选动词的形式）。层数越多，每一步越慢：请对照横轴上的步数和状态栏里的每秒步数来比较曲线。</translation>
    </message>
    <message>
        <source>fraction</source>
        <translation>比例</translation>
    </message>
    <message>
        <source>Exact match: the whole sentence right when the model decodes on its own (free-running). Token accuracy: the next token right when it is given the reference so far (teacher forcing, as in training).</source>
        <translation>完全匹配：模型自己逐词解码（自由运行）时整句都对。词元准确率：给定到目前为止的参考译文（教师强制，和训练时一样），下一个词元预测正确。</translation>
    </message>
    <message>
        <source>Cross-attention</source>
        <translation>交叉注意力</translation>
    </message>
    <message>
        <source>English → French (en-fr)</source>
        <translation>英语 → 法语（en-fr）</translation>
    </message>
    <message>
        <source>French → English (fr-en)</source>
        <translation>法语 → 英语（fr-en）</translation>
    </message>
    <message>
        <source>English → Chinese (en-zh)</source>
        <translation>英语 → 中文（en-zh）</translation>
    </message>
    <message>
        <source>Chinese → English (zh-en)</source>
        <translation>中文 → 英语（zh-en）</translation>
    </message>
    <message>
        <source>Chatbot (chat)</source>
        <translation>聊天机器人（chat）</translation>
    </message>
    <message>
        <source>copy, reverse and sort train on ids in a few seconds; the text tasks train their own SentencePiece vocabulary first and take a minute or two</source>
        <translation>复制、倒序和排序直接在编号上训练，几秒钟就好；文本任务要先训练自己的 SentencePiece 词表，需要一两分钟</translation>
    </message>
    <message>
        <source>Training examples</source>
        <translation>训练样本数</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>词表大小</translation>
    </message>
    <message>
        <source>copy, reverse, sort: the ids 4 .. N-1; text tasks: SentencePiece pieces, at most</source>
        <translation>复制、倒序、排序：编号 4 .. N-1；文本任务：SentencePiece 词片数的上限</translation>
    </message>
    <message>
        <source>PE(i) · PE(j): fixed sinusoids, the same at every step; it depends on |i − j| only</source>
        <translation>PE(i) · PE(j)：固定的正弦位置编码，每一步都一样；只取决于 |i − j|</translation>
    </message>
    <message>
        <source>No positional encoding: PE(i) · PE(j) = 0, the model gets no order signal</source>
        <translation>没有位置编码：PE(i) · PE(j) = 0，模型得不到任何顺序信息</translation>
    </message>
    <message>
        <source>position i</source>
        <translation>位置 i</translation>
    </message>
    <message>
        <source>position j</source>
        <translation>位置 j</translation>
    </message>
    <message>
        <source>PE(i) · PE(j)</source>
        <translation>PE(i) · PE(j)</translation>
    </message>
    <message>
        <source>Training %1: %2, %3 training pairs…</source>
        <translation>正在训练 %1：%2，%3 个训练句对…</translation>
    </message>
    <message>
        <source>%1: step %2 of %3 · loss %4 · token accuracy %7% · %5 steps/s · %6 target tokens/s</source>
        <translation>%1：第 %2 步，共 %3 步 · 损失 %4 · 词元准确率 %7% · 每秒 %5 步 · 每秒 %6 个目标词元</translation>
    </message>
    <message>
        <source>step %1 · held-out exact match %2% · token accuracy %3% · BLEU %4
</source>
        <translation>第 %1 步 · 留出集完全匹配 %2% · 词元准确率 %3% · BLEU %4
</translation>
    </message>
    <message>
        <source>Save model as…</source>
        <translation>模型另存为…</translation>
    </message>
    <message>
        <source>Ctrl+S: copies the run&apos;s model directory (weights, config, vocabulary) to a folder you choose</source>
        <translation>Ctrl+S：把这次训练的模型目录（权重、配置、词表）复制到你选择的文件夹</translation>
    </message>
    <message>
        <source>Save the model in a folder</source>
        <translation>把模型保存到文件夹</translation>
    </message>
    <message>
        <source>Model saved in %1: open it with File &gt; Open model or stepformer --model</source>
        <translation>模型已保存在 %1：用“文件 &gt; 打开模型”或 stepformer --model 打开</translation>
    </message>
    <message>
        <source>Cannot save in %1 (%2)</source>
        <translation>无法保存到 %1（%2）</translation>
    </message>
    <message>
        <source>Held-out exact match (solid), token accuracy (dotted),
BLEU ÷ 100 (dash-dot)</source>
        <translation>留出集：完全匹配率（实线）、词元准确率（点线），
BLEU ÷ 100（点划线）</translation>
    </message>
</context>
<context>
    <name>sf::ui::TrainingWorker</name>
    <message>
        <source>the number of heads (%1) must divide d_model (%2)</source>
        <translation>头数（%1）必须整除 d_model（%2）</translation>
    </message>
    <message>
        <source>   (expected %1)</source>
        <translation>   （应为 %1）</translation>
    </message>
    <message>
        <source>stopped at step %1</source>
        <translation>已停止于第 %1 步</translation>
    </message>
    <message>
        <source>finished at step %1</source>
        <translation>已在第 %1 步完成</translation>
    </message>
    <message>
        <source>unknown task %1</source>
        <translation>未知任务 %1</translation>
    </message>
    <message>
        <source>Preparing %1: %2 sentence pairs and their SentencePiece vocabulary…</source>
        <translation>正在准备 %1：%2 个句对和它们的 SentencePiece 词表…</translation>
    </message>
</context>
<context>
    <name>sf::ui::TranslationDocument</name>
    <message>
        <source>No model is loaded.</source>
        <translation>还没有加载模型。</translation>
    </message>
    <message>
        <source>Out of memory while translating.</source>
        <translation>翻译时内存不足。</translation>
    </message>
    <message>
        <source>The translation failed: %1</source>
        <translation>翻译失败：%1</translation>
    </message>
    <message>
        <source>words the model&apos;s vocabulary lacks (&lt;unk&gt; pieces): %1</source>
        <translation>模型词表中没有的词（&lt;unk&gt; 片段）：%1</translation>
    </message>
    <message>
        <source>this model never saw sentences like this; expect a wrong translation (%1)</source>
        <translation>这个模型从未见过这样的句子，译文很可能是错的（%1）</translation>
    </message>
    <message>
        <source>Cannot open the model: %1</source>
        <translation>无法打开模型：%1</translation>
    </message>
    <message>
        <source>out of memory while loading it</source>
        <translation>加载时内存不足</translation>
    </message>
</context>
<context>
    <name>sf::ui::WeightsTableModel</name>
    <message>
        <source>  (unused)</source>
        <translation>  （未使用）</translation>
    </message>
    <message>
        <source>%1 NaN, %2 Inf</source>
        <translation>%1 个 NaN，%2 个 Inf</translation>
    </message>
    <message>
        <source>%1 values</source>
        <translation>%1 个数值</translation>
    </message>
    <message>
        <source>In the file, but not used by this config.</source>
        <translation>在文件中，但这个配置没有用到。</translation>
    </message>
    <message>
        <source>Not a float dtype: not measured.</source>
        <translation>不是浮点类型：未统计。</translation>
    </message>
    <message>
        <source>%1 NaN and %2 Inf values (not counted in min/max/mean/std).</source>
        <translation>%1 个 NaN 和 %2 个 Inf（不计入最小值/最大值/均值/标准差）。</translation>
    </message>
    <message>
        <source>tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <source>shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>dtype</source>
        <translation>数据类型</translation>
    </message>
    <message>
        <source>min</source>
        <translation>最小值</translation>
    </message>
    <message>
        <source>max</source>
        <translation>最大值</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>std</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>NaN / Inf</source>
        <translation>NaN / Inf</translation>
    </message>
    <message>
        <source>Population standard deviation over the finite values</source>
        <translation>有限值的总体标准差</translation>
    </message>
</context>
<context>
    <name>sf::ui::WeightsView</name>
    <message>
        <source>&lt;p&gt;No model is open (File &amp;gt; Open model…).&lt;/p&gt;</source>
        <translation>&lt;p&gt;没有打开模型（文件 &amp;gt; 打开模型…）。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Weight statistics: computing…</source>
        <translation>权重统计：正在计算…</translation>
    </message>
    <message>
        <source>The weights could not be measured: %1</source>
        <translation>无法统计权重：%1</translation>
    </message>
    <message>
        <source>%1 parameters</source>
        <translation>%1 个参数</translation>
    </message>
    <message numerus="yes">
        <source>%n tensor(s) in the file</source>
        <translation>
            <numerusform>文件中有 %n 个张量</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>; %n not used by this config (grey, italic)</source>
        <translation>
            <numerusform>；其中 %n 个未被这个配置使用（灰色斜体）</numerusform>
        </translation>
    </message>
    <message>
        <source>; measured in %1 ms.</source>
        <translation>；统计用时 %1 毫秒。</translation>
    </message>
    <message numerus="yes">
        <source>%n warning(s): the model loads, but some weights are not finite</source>
        <translation>
            <numerusform>%n 条警告：模型可以加载，但有些权重不是有限值</numerusform>
        </translation>
    </message>
    <message>
        <source>&lt;i&gt;Select a tensor in the table.&lt;/i&gt;</source>
        <translation>&lt;i&gt;请在表格中选择一个张量。&lt;/i&gt;</translation>
    </message>
    <message>
        <source>value</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>count</source>
        <translation>个数</translation>
    </message>
    <message>
        <source>%1 values</source>
        <translation>%1 个数值</translation>
    </message>
    <message>
        <source>Not a float dtype: nothing to show.</source>
        <translation>不是浮点类型：没有可显示的内容。</translation>
    </message>
    <message>
        <source>min %1, max %2, mean %3, std %4</source>
        <translation>最小值 %1，最大值 %2，均值 %3，标准差 %4</translation>
    </message>
    <message>
        <source>%1 NaN, %2 Inf</source>
        <translation>%1 个 NaN，%2 个 Inf</translation>
    </message>
    <message>
        <source>not used by this config</source>
        <translation>这个配置没有用到</translation>
    </message>
    <message>
        <source>token</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>dimension</source>
        <translation>维度</translation>
    </message>
    <message>
        <source>input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>index</source>
        <translation>下标</translation>
    </message>
    <message>
        <source>%1 %2 → %3 × %4, downsampled (block means)</source>
        <translation>%1 %2 → %3 × %4，已降采样（块均值）</translation>
    </message>
    <message>
        <source>block mean</source>
        <translation>块均值</translation>
    </message>
    <message>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source> of %1</source>
        <translation> / %1</translation>
    </message>
    <message>
        <source>input (head %1’s context)</source>
        <translation>输入（第 %1 个头的上下文）</translation>
    </message>
    <message>
        <source>head %1 of %2: columns %3–%4 of %5 → [%6 × %7] (d × dk)</source>
        <translation>第 %1 / %2 个头：%5 的第 %3–%4 列 → [%6 × %7] (d × dk)</translation>
    </message>
    <message>
        <source>output (head %1)</source>
        <translation>输出（第 %1 个头）</translation>
    </message>
    <message>
        <source>head %1 of %2: rows %3–%4 of %5 → [%6 × %7] (dk × d)</source>
        <translation>第 %1 / %2 个头：%5 的第 %3–%4 行 → [%6 × %7] (dk × d)</translation>
    </message>
    <message>
        <source>Filter tensors by name (e.g. q_proj, decoder.layers.2, unused)</source>
        <translation>按名称筛选张量（例如 q_proj、decoder.layers.2、unused）</translation>
    </message>
    <message>
        <source>&lt;b&gt;One head’s slice&lt;/b&gt;</source>
        <translation>&lt;b&gt;单个头的切片&lt;/b&gt;</translation>
    </message>
    <message>
        <source>head </source>
        <translation>第 </translation>
    </message>
    <message>
        <source>Which head of this projection to show</source>
        <translation>显示这个投影的哪一个头</translation>
    </message>
</context>
</TS>
