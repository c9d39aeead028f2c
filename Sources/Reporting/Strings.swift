/// Chinese labels, keyed by their English text (see `Localizer`).
enum Strings {
    /// Persona's default tier, stage and risk names.
    static let zhNames: [String: String] = [
        "high": "高", "mid": "中", "low": "低",
        "active": "活跃", "potential": "潜在", "at_risk": "流失风险", "churned": "已流失",
        "new": "新客", "growing": "成长", "mature": "成熟", "declining": "衰退", "VIP": "VIP", "won_back": "召回",
        "loyal": "忠诚", "regular": "常客", "occasional": "偶尔",
    ]

    static let zh: [String: String] = [
        "mean P(alive)":
            "平均存活概率 P(alive)",
        "expected purchases per customer in {0} months":
            "每位客户 {0} 个月内的预期购买次数",
        "total lifetime value":
            "终身价值合计",
        "purchases in calibration (repeat)":
            "校准期内购买次数（重复）",
        "actual purchases in the holdout":
            "验证期实际购买次数",
        "predicted":
            "预测",
        "actual":
            "实际",
        "Calibration against the holdout":
            "对验证期的校准",
        "The model was fitted on the purchases up to the calibration end; for each number of repeat purchases then, the mean number of purchases customers made in the holdout against the number the model expected.":
            "模型用校准期结束前的购买拟合；按当时的重复购买次数分组，比较客户在验证期的平均实际购买次数与模型预期的次数。",
        "Holdout purchases per customer: actual and predicted":
            "验证期每位客户购买次数：实际与预测",
        "purchases in calibration (repeat): {0}":
            "校准期内购买次数（重复）：{0}",
        "purchases in the holdout":
            "验证期购买次数",
        "Mean absolute error per customer {0}; {1} purchases predicted in all, {2} made.":
            "每位客户的平均绝对误差 {0}；共预测 {1} 次购买，实际 {2} 次。",
        "Lifetime value by loyalty tier":
            "各忠诚度层级的终身价值",
        "lifetime value":
            "终身价值",
        "loyalty tier":
            "忠诚度层级",
        "mean expected purchases":
            "平均预期购买次数",
        "Loyalty tiers":
            "忠诚度层级",
        "Loyalty tiers cut the expected purchases in the horizon at their terciles: loyal (top third), regular, occasional.":
            "忠诚度层级按预测期内预期购买次数的三分位数划分：忠诚（最高三分之一）、常客、偶尔。",
        "Customer lifetime value: {0}":
            "客户终身价值：{0}",
        "persona clv · {0} · {1} customers · horizon {2} months":
            "persona clv · {0} · {1} 位客户 · 预测期 {2} 个月",
        "customers with a label":
            "有标签的客户",
        "{0} rate ({1} = {2})":
            "{0} 比例（{1} = {2}）",
        "cross-validated AUC ({0} folds)":
            "交叉验证 AUC（{0} 折）",
        "log loss (out of fold)":
            "对数损失（折外）",
        "Brier score (out of fold)":
            "Brier 分数（折外）",
        "fold":
            "折",
        "predicted probability":
            "预测概率",
        "customers":
            "客户数",
        "mean predicted":
            "平均预测",
        "observed rate":
            "实际比例",
        "How well the model ranks and calibrates":
            "模型的排序与校准",
        "Every customer's probability comes from the model fitted without their fold (stratified {0}-fold cross-validation, seed {1}), so these curves show how the model does on customers it has not seen.":
            "每位客户的概率都来自未使用其所在折训练的模型（分层 {0} 折交叉验证，随机种子 {1}），因此这些曲线反映模型在未见过的客户上的表现。",
        "ROC curve (out of fold)":
            "ROC 曲线（折外）",
        "false positive rate":
            "假阳性率",
        "true positive rate":
            "真阳性率",
        "All out-of-fold predictions pooled: AUC {0}. Per fold: mean {1}, sd {2}. The dashed diagonal is a model that ranks at random.":
            "合并全部折外预测：AUC {0}。各折：均值 {1}，标准差 {2}。虚线对角线表示随机排序的模型。",
        "Calibration (out of fold)":
            "校准曲线（折外）",
        "observed":
            "实际",
        "mean predicted probability":
            "平均预测概率",
        "Ten equal-width bins of predicted probability; points on the diagonal are well calibrated.":
            "按预测概率分为十个等宽区间；落在对角线上的点表示校准良好。",
        "Probability by outcome":
            "按实际结果的概率分布",
        "Out-of-fold churn probability for customers who did and did not churn: box from the first to the third quartile, line at the median, whiskers from the 5th to the 95th percentile, dot at the mean.":
            "已流失与未流失客户的折外流失概率：箱体为第一至第三四分位数，竖线为中位数，须线为第 5 至第 95 百分位数，圆点为均值。",
        "Predicted probability by actual outcome":
            "按实际结果的预测概率",
        "Churn by value tier":
            "各价值层级的流失",
        "Value tiers as persona segment makes them: k-means with three clusters on {0} (standardized, log1p on columns without negative values), named from the most valuable down.":
            "价值层级与 persona segment 的做法相同：在 {0} 上做三簇 k-means（先标准化，无负值的字段先取 log1p），按价值从高到低命名。",
        "Box from the first to the third quartile, line at the median, whiskers from the 5th to the 95th percentile, dot at the mean.":
            "箱体为第一至第三四分位数，竖线为中位数，须线为第 5 至第 95 百分位数，圆点为均值。",
        "Out-of-fold churn probability by value tier":
            "各价值层级的折外流失概率",
        "mean out-of-fold probability":
            "平均折外概率",
        "per standard deviation of the feature (--scale zscore)":
            "按特征每个标准差计（--scale zscore）",
        "per unit of the feature":
            "按特征每个单位计",
        "feature":
            "特征",
        "coefficient":
            "系数",
        "standard error":
            "标准误",
        "odds ratio":
            "优势比",
        "95% interval":
            "95% 区间",
        "What drives the risk":
            "风险的驱动因素",
        "Odds ratios {0}, with 95% intervals from the standard errors (exp(β ± 1.96·SE)). Above 1 raises the odds of {1} = {2}, below 1 lowers them. The {3} strongest are drawn; the table lists all.":
            "优势比{0}，95% 区间由标准误得出（exp(β ± 1.96·SE)）。大于 1 提高 {1} = {2} 的几率，小于 1 则降低。图中画出最强的 {3} 个，表格列出全部。",
        "Odds ratios with 95% intervals":
            "优势比及 95% 区间",
        "odds ratio (log scale)":
            "优势比（对数刻度）",
        "Warnings":
            "警告",
        "Churn model: {0}":
            "流失模型：{0}",
        "persona churn train · logistic regression on {0} features · {1} customers · L2 {2}":
            "persona churn train · 基于 {0} 个特征的逻辑回归 · {1} 位客户 · L2 {2}",
        "Cluster {0}":
            "簇 {0}",
        "clusters":
            "簇数",
        "features":
            "特征数",
        "mean silhouette":
            "平均轮廓系数",
        "inertia":
            "惯性",
        "inertia (scaled space)":
            "惯性（标准化空间）",
        "cluster":
            "簇",
        "share":
            "占比",
        "Segment sizes":
            "分群规模",
        "Clusters are numbered by decreasing size: cluster 0 is the largest.":
            "簇按规模从大到小编号：簇 0 最大。",
        "Customers per cluster":
            "各簇客户数",
        "Cluster profiles":
            "簇画像",
        "Each cell is the cluster centre as a z-score of the feature (bold: above the average in orange, below in blue) and, underneath, in the feature's original units. One-hot columns (COL=VALUE) show the share of the cluster with that value.":
            "每个单元格上方为簇中心在该特征上的 z 分数（粗体：高于平均为橙色，低于平均为蓝色），下方为原始单位的值。独热列（列=取值）显示簇内取该值的比例。",
        "Cluster centres (z-score, original units)":
            "簇中心（z 分数，原始单位）",
        "With one cluster the centre is the average customer, so every z-score is 0. The centre in original units:":
            "只有一个簇时，簇中心就是平均客户，所有 z 分数均为 0。簇中心的原始单位数值：",
        "centre":
            "中心",
        "z-scores are taken over all customers of the scaled features.":
            "z 分数基于全部客户的标准化特征计算。",
        "z-scores are taken over all customers of the features as clustered (--scale none).":
            "z 分数基于全部客户参与聚类的特征（--scale none，未缩放）计算。",
        "A log1p column is compared on the log scale; its original-units value is the centre mapped back (expm1), which lies below the cluster's plain average.":
            "log1p 列在对数尺度上比较；其原始单位的数值是簇中心经 expm1 变换回来的值，低于该簇的算术平均值。",
        "The first two principal components of the features as clustered, unscaled (PCA fitted on {0} sampled customers, {1} drawn). Clusters that overlap here may still be apart in the other dimensions.":
            "参与聚类的（未缩放）特征的前两个主成分（PCA 基于 {0} 位抽样客户拟合，绘制 {1} 位）。在此重叠的簇在其他维度上仍可能分开。",
        "metric":
            "指标",
        "value":
            "数值",
        "reads":
            "解读",
        "−1 … 1, higher is better":
            "−1 … 1，越高越好",
        "higher is better":
            "越高越好",
        "lower is better":
            "越低越好",
        "sum of squared distances to the centres":
            "到簇中心的距离平方和",
        "iterations":
            "迭代次数",
        "converged":
            "已收敛",
        "stopped at --max-iter":
            "达到 --max-iter 后停止",
        "Quality":
            "聚类质量",
        "The silhouette is computed on a seeded sample of {0} customers.":
            "轮廓系数基于 {0} 位客户的固定种子抽样计算。",
        "Customer segments: {0}":
            "客户分群：{0}",
        "persona cluster · {0} customers · k-means with {1} clusters on {2} features · scaling: {3} · seed {4}":
            "persona cluster · {0} 位客户 · k-means 聚为 {1} 簇，{2} 个特征 · 缩放方式：{3} · 随机种子 {4}",
        "zscore":
            "z 分数",
        "robust":
            "稳健（中位数与四分位距）",
        "minmax":
            "最小-最大",
        "none":
            "不缩放",
        "{0}: median {1}, quartiles {2}–{3}":
            "{0}：中位数 {1}，四分位数 {2}–{3}",
        "component {0} ({1} of the variance)":
            "主成分 {0}（解释 {1} 方差）",
        "Customers in two dimensions":
            "客户二维分布",
        "The first two principal components of the scaled features (PCA fitted on {0} sampled customers, {1} drawn). Clusters that overlap here may still be apart in the other dimensions.":
            "标准化特征的前两个主成分（PCA 基于 {0} 位抽样客户拟合，绘制 {1} 位）。在此重叠的簇在其他维度上仍可能分开。",
        "Principal components, coloured by segment":
            "主成分散点图（按分群着色）",
        "chosen k = {0}":
            "选定 k = {0}",
        "Choosing k":
            "选择 k",
        "Every k in the range was fitted; the k with the highest mean silhouette was kept (ties: the smaller k).":
            "范围内的每个 k 都已拟合；保留平均轮廓系数最高的 k（并列时取较小的 k）。",
        "mean silhouette (higher is better)":
            "平均轮廓系数（越高越好）",
        "Calinski-Harabasz (higher is better)":
            "Calinski-Harabasz（越高越好）",
        "Davies-Bouldin (lower is better)":
            "Davies-Bouldin（越低越好）",
        "Made by Persona from this run's results, the same numbers its output files hold; nothing here was fetched from the network.":
            "由 Persona 根据本次运行结果生成，数字与输出文件一致；未从网络获取任何内容。",
        "The figures and tables below were rendered by Persona when it wrote this notebook; run the code cells to reload the same output files with pandas and carry on from there.":
            "以下图表由 Persona 在生成本笔记本时绘制；运行代码单元即可用 pandas 重新加载相同的输出文件并继续分析。",
        "Output below: the report's figures and tables, drawn by Persona. Running this cell replaces them with what this code computes from the same files.":
            "下方输出：报告中的图表与表格，由 Persona 绘制。运行此单元格会将其替换为这段代码根据同样的文件计算出的结果。",
        "This section is drawn from the files loaded above.":
            "本节基于上面加载的文件绘制。",
        "personas":
            "客户画像数",
        "of {0} from {1} value":
            "{0} 来自{1}价值客户",
        "expected churn rate (mean probability)":
            "预期流失率（平均概率）",
        "of customers":
            "占客户",
        "of {0}":
            "占 {0}",
        "Personas":
            "客户画像",
        "Personas are k-means clusters on all segmentation columns together, named after their most common value and behaviour tier and the column whose average is the most above everyone's (the model file lists the top three as traits). Each card lists the three columns on which the persona's centre lies furthest from the average customer in either direction (in standard deviations), described in original units.":
            "客户画像是在全部分群字段上共同做 k-means 得到的簇，以其最常见的价值层级、行为层级以及均值高出全体最多的字段命名（模型文件的 traits 列出前三个）。每张卡片列出画像中心偏离平均客户最远（无论高低，以标准差计）的三个字段，并以原始单位描述。",
        "Customers per persona":
            "各画像客户数",
        "value tier":
            "价值层级",
        "Value × behaviour":
            "价值 × 行为",
        "Lifetime value by value tier":
            "各价值层级的客户终身价值",
        "customers with a CLV":
            "有终身价值的客户",
        "mean CLV":
            "平均终身价值",
        "median CLV":
            "终身价值中位数",
        "share of all CLV":
            "占全部终身价值",
        "From the clv column (persona clv, joined with --join CLV.csv): each customer's expected purchases over the horizon times their expected spend per purchase, discounted. Value tiers rank past spend; this is what each tier is expected to bring.":
            "来自 clv 列（persona clv 的结果，用 --join CLV.csv 合并）：每位客户在预测期内的预期购买次数乘以每次预期消费，并折现。价值层级按过去的消费排序；这里是各层级预期带来的价值。",
        "Value tiers cluster {0}; behaviour tiers follow a rule on {1} against each customer's own purchase rhythm. Each cell: customers, and the share of all {2} they account for.":
            "价值层级按 {0} 聚类；行为层级按规则判定：{1} 与每位客户自己的购买节奏相比。每格：客户数，以及他们占全部 {2} 的份额。",
        "Every k in the range (and one below it, as the anchor) was fitted on a seeded sample of at most 4,000 customers; the k at the knee of the inertia curve — farthest below the straight line between its ends — was kept.":
            "在至多 4,000 名客户的固定种子样本上拟合范围内的每个 k（以及低一档的 k 作为锚点）；保留惯性曲线的拐点——离两端连线最远的 k。",
        "inertia (lower is tighter)":
            "惯性（越低越紧凑）",
        "Customers by value tier and behaviour tier":
            "按价值层级与行为层级的客户数",
        "behaviour tier":
            "行为层级",
        "Lifecycle stages":
            "生命周期阶段",
        "Stages follow documented rules, first match wins: potential, new, won back, VIP, declining, growing, mature.":
            "阶段按文档中的规则判定，先匹配者优先：潜在、新客、召回、VIP、衰退、成长、成熟。",
        "Preference groups":
            "偏好群组",
        "Groups by category mix, named after the share that lifts each most.":
            "按品类结构分组，以提升最多的品类占比命名。",
        "Lifecycle and preferences":
            "生命周期与偏好",
        "Persona profiles":
            "画像特征",
        "Each cell is the persona's centre in standardized units (log1p first for spend-like columns) and, underneath, its average in original units.":
            "每个单元格上方为画像中心的标准化值（消费类字段先做 log1p），下方为原始单位的平均值。",
        "Persona centres (z-score, average)":
            "画像中心（z 分数，平均值）",
        "column":
            "字段",
        "Choosing the number of personas":
            "选择画像数量",
        "Every k in the range was fitted on a seeded sample of at most 4,000 customers; the k with the highest mean silhouette was kept.":
            "范围内的每个 k 都在至多 4,000 位客户的固定种子抽样上拟合；保留平均轮廓系数最高的 k。",
        "Tags":
            "标签",
        "No customer matches any of the {0} tag rules.":
            "没有客户符合这 {0} 条标签规则中的任何一条。",
        "Rule tags from the config; a customer can carry several.":
            "来自配置的规则标签；一位客户可以有多个标签。",
        "Customers per tag":
            "各标签客户数",
        "tag":
            "标签",
        "rule":
            "规则",
        "Churn risk":
            "流失风险",
        "Churn probability from the churn model, per value tier: box from the first to the third quartile, line at the median, whiskers from the 5th to the 95th percentile, dot at the mean.":
            "流失模型给出的流失概率，按价值层级：箱体为第一至第三四分位数，竖线为中位数，须线为第 5 至第 95 百分位数，圆点为均值。",
        "Churn probability by value tier":
            "按价值层级的流失概率",
        "churn probability":
            "流失概率",
        "mean churn probability":
            "平均流失概率",
        "{0}: before (rows) → now (columns)":
            "{0}：之前（行）→ 现在（列）",
        "before":
            "之前",
        "now":
            "现在",
        "Migration since the earlier run":
            "与上次运行相比的迁移",
        "{0} customers are in both runs; {1} only in the earlier one, {2} only in this one.":
            "{0} 位客户同时出现在两次运行中；{1} 位仅在上次，{2} 位仅在本次。",
        "persona segment · {0} customers · {1} value tiers, {2} behaviour tiers, {3} personas · seed {4}":
            "persona segment · {0} 位客户 · {1} 个价值层级、{2} 个行为层级、{3} 个画像 · 随机种子 {4}",
        "{0} of spend on {1} ({2}× the average)":
            "{0} 的消费用于 {1}（平均水平的 {2} 倍）",
        "last purchase {0} days ago on average (all customers: {1})":
            "平均最近一次购买在 {0} 天前（全体客户：{1}）",
        "{0} purchases on average ({1}× the average)":
            "平均购买 {0} 次（平均水平的 {1} 倍）",
        "spends {0}× the average ({1})":
            "消费为平均水平的 {0} 倍（{1}）",
        "{0}: {1} on average ({2}× the average)":
            "{0}：平均 {1}（平均水平的 {2} 倍）",
        // persona identity
        "Birthday conflicts":
            "生日冲突",
        "Customers by number of records":
            "按记录数划分的客户",
        "Customers with records in both the row's and the column's source; the diagonal is the customers of each source.":
            "在行与列两个来源中都有记录的客户数；对角线为各来源的客户数。",
        "Each join put two groups of records together that no earlier key had joined (keys in the order listed; record_id is a record id repeated within one source). The records less all joins are the customers.":
            "每次合并把此前任何键都未合并的两组记录合为一组（按所列顺序依次使用各键；record_id 指同一来源内重复出现的记录 ID）。记录数减去全部合并次数即为客户数。",
        "HMAC pseudonyms":
            "HMAC 假名",
        "How many customers have one record, two, and so on. Large customers are worth a look: a key shared by a few people that stayed under the hub guard joins them.":
            "有一条、两条……记录的客户各有多少。记录很多的客户值得查看：少数人共用、但未超过枢纽阈值的键会把他们合并。",
        "Hub keys dropped":
            "已弃用的枢纽键",
        "Identity resolution":
            "身份识别",
        "Key values shared by more than {0} different identities (records whose other keys differ), such as a store's phone typed for walk-in buyers: not used for matching; the records keep their other keys.{1}":
            "被超过 {0} 个不同身份（其他键不同的记录）共用的键值，例如门店为散客录入的店内电话：不用于匹配；这些记录的其他键照常使用。{1}",
        "Malformed values":
            "格式错误的值",
        "Merges by key":
            "按键合并",
        "Name confirmation":
            "姓名确认",
        "No confirmation rules: records sharing a key are joined whatever their names.":
            "没有确认规则：共用一个键的记录无论姓名如何都会合并。",
        "None: every value given could be read.":
            "无：所有给出的值都能读取。",
        "None: no key value is shared by more than {0} different identities.":
            "无：没有键值被超过 {0} 个不同身份共用。",
        "Not listed: customer keys are pseudonymous, and birthdays are personal data.":
            "未列出：客户键为假名，且生日属于个人数据。",
        "Records per customer":
            "每位客户的记录数",
        "Records read from each source, and the customers with at least one record there.":
            "从各来源读取的记录数，以及在该来源至少有一条记录的客户数。",
        "Records sharing a key with a rule are joined only when their normalised full names are similar enough (Jaro-Winkler); a record without a name joins the key's first record with a name. A refused join leaves the record apart unless another key joins it.":
            "共用一个设有规则的键的记录，只有在规范化后的姓名足够相似（Jaro-Winkler）时才会合并；没有姓名的记录并入该键第一条有姓名的记录。被拒绝的合并使记录保持独立，除非另一个键将其合并。",
        "Settings":
            "设置",
        "Source overlap":
            "来源重叠",
        "Sources":
            "来源",
        "Values are masked: customer keys are pseudonymous.":
            "值已遮盖：客户键为假名。",
        "Values that cannot be what their column says (a phone of impossible length, an e-mail without a domain, a date that is not one): keys are never matched, names and birthdays are left blank, and an updated time counts as oldest.":
            "与所在列含义不符的值（长度不可能的电话、没有域名的邮箱、不是日期的日期）：这样的键从不参与匹配，姓名和生日留空，更新时间按最早计。",
        "What this run was asked to do (the config, and --max-shared where given).":
            "本次运行的设置（配置文件，以及给出时的 --max-shared）。",
        "a key value shared by more than {0} different identities is not used":
            "被超过 {0} 个不同身份共用的键值不予使用",
        "birthdays":
            "生日",
        "confirmation: {0}":
            "确认：{0}",
        "customer":
            "客户",
        "customer keys":
            "客户键",
        "customers in two or more sources":
            "出现在两个及以上来源的客户",
        "file":
            "文件",
        "first at":
            "首次出现于",
        "hub guard":
            "枢纽阈值",
        "hub keys dropped":
            "已弃用的枢纽键",
        "identities":
            "身份数",
        "joins":
            "合并次数",
        "joins refused":
            "被拒绝的合并",
        "key":
            "键",
        "malformed values":
            "格式错误的值",
        "member id leading zeros":
            "会员号前导零",
        "name similarity ≥ {0}":
            "姓名相似度 ≥ {0}",
        "persona identity · {0} records from {1} sources → {2} customers · {3}":
            "persona identity · 来自 {1} 个来源的 {0} 条记录 → {2} 位客户 · {3}",
        "records":
            "记录",
        "records per customer":
            "每位客户的记录数",
        "sequential keys":
            "顺序编号",
        "setting":
            "设置项",
        "source":
            "来源",
        "source priority":
            "来源优先级",
        "source {0}":
            "来源 {0}",
        "survivorship: {0}":
            "字段取值规则：{0}",
        "values":
            "值的个数",
        "{0} customers have records with different birthdays (PROFILES.csv birthday_conflict).":
            "{0} 位客户的记录给出了不同的生日（PROFILES.csv 的 birthday_conflict）。",
        "… and {0} more.":
            "……另有 {0} 个。",
    ]
}
