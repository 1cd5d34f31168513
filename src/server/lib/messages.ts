import type { Locale } from '../../contracts/common.js';

/**
 * Every message a user can read from the API, in both languages. Keys are the error codes
 * services throw; `{name}` placeholders are filled from the error's params.
 */
export const messages = {
  'request.invalid': { 'zh-CN': '请求内容有误：{detail}', en: 'The request is not valid: {detail}' },
  'request.too_large': { 'zh-CN': '请求内容过大。', en: 'The request body is too large.' },
  'request.unsupported_media_type': { 'zh-CN': '不支持的内容类型。', en: 'Unsupported content type.' },
  'request.malformed_json': { 'zh-CN': '请求内容不是有效的 JSON。', en: 'The request body is not valid JSON.' },
  'request.invalid_text': {
    'zh-CN': '请求中含有不允许的字符（空字符或不成对的 Unicode 代理项），位置：{where}',
    en: 'The request contains a character that is not allowed (a NUL or an unpaired Unicode surrogate) at {where}',
  },
  'request.too_deep': { 'zh-CN': '请求内容嵌套过深（最多 {max} 层）。', en: 'The request body is nested too deeply (at most {max} levels).' },
  'request.malformed': { 'zh-CN': '请求格式有误，无法读取。', en: 'The request is malformed and cannot be read.' },
  'request.malformed_url': { 'zh-CN': '请求地址的编码有误。', en: 'The request address is not validly encoded.' },
  'request.uri_too_long': { 'zh-CN': '请求地址过长。', en: 'The request address is too long.' },
  'request.headers_too_large': { 'zh-CN': '请求头过大。', en: 'The request headers are too large.' },
  'request.range_not_satisfiable': { 'zh-CN': '请求的字节范围超出文件大小。', en: 'The requested byte range is beyond the end of the file.' },
  'request.timeout': { 'zh-CN': '请求超时，请重试。', en: 'The request timed out. Please try again.' },
  'request.not_found': { 'zh-CN': '找不到该地址。', en: 'No such address.' },
  'request.rate_limited': { 'zh-CN': '操作太频繁，请 {seconds} 秒后再试。', en: 'Too many attempts. Try again in {seconds} seconds.' },
  'request.cross_site': { 'zh-CN': '拒绝来自其他网站的请求。', en: 'Cross-site request refused.' },
  'server.internal': { 'zh-CN': '服务器出错了，请稍后再试。', en: 'Something went wrong on our side. Please try again later.' },
  'server.unavailable': { 'zh-CN': '服务暂时不可用，请稍后再试。', en: 'The service is temporarily unavailable. Please try again later.' },
  'auth.required': { 'zh-CN': '请先登录。', en: 'Please sign in first.' },
  'auth.forbidden': { 'zh-CN': '你没有权限执行此操作。', en: 'You do not have permission to do this.' },
  'auth.invalid_credentials': { 'zh-CN': '邮箱或密码不正确。', en: 'Wrong email or password.' },
  'auth.email_taken': { 'zh-CN': '该邮箱已注册，请直接登录。', en: 'This email is already registered. Please sign in.' },
  'auth.account_disabled': { 'zh-CN': '该账号已被停用。', en: 'This account has been disabled.' },
  'auth.password_too_short': { 'zh-CN': '密码至少需要 {min} 个字符。', en: 'The password must be at least {min} characters long.' },
  'auth.password_too_long': { 'zh-CN': '密码不能超过 {max} 个字符。', en: 'The password must be at most {max} characters long.' },
  'auth.password_common': { 'zh-CN': '这个密码太常见，很容易被猜到，请换一个。', en: 'This password is too common and easy to guess. Please choose another.' },
  'auth.code_invalid': { 'zh-CN': '验证码不正确或已过期。', en: 'The code is wrong or has expired.' },
  'auth.code_too_many_attempts': { 'zh-CN': '验证码尝试次数过多，请重新获取。', en: 'Too many wrong codes. Please request a new one.' },
  'auth.code_limit': { 'zh-CN': '该手机号获取验证码过于频繁，请稍后再试。', en: 'Too many codes sent to this number. Please try again later.' },
  'auth.sms_failed': { 'zh-CN': '短信发送失败，请稍后再试。', en: 'The text message could not be sent. Please try again later.' },
  'auth.name_required': { 'zh-CN': '首次登录请填写姓名。', en: 'Please give your name the first time you sign in.' },
  'user.not_found': { 'zh-CN': '找不到该用户。', en: 'No such user.' },
  'user.last_admin': { 'zh-CN': '不能移除最后一位管理员。', en: 'The last admin cannot be removed.' },
  'session.not_found': { 'zh-CN': '找不到该会话。', en: 'No such session.' },
  'campaign.not_found': { 'zh-CN': '找不到该征集活动。', en: 'No such campaign.' },
  'campaign.slug_taken': { 'zh-CN': '该活动标识已被使用。', en: 'This campaign slug is already in use.' },
  'campaign.full': { 'zh-CN': '该活动名额已满（{quota} 人）。', en: 'This campaign is full ({quota} contributors).' },
  'campaign.not_open': { 'zh-CN': '该活动当前未开放报名。', en: 'This campaign is not open for joining.' },
  'campaign.invalid_dates': { 'zh-CN': '开始时间必须早于结束时间。', en: 'The start must be before the end.' },
  'upload.invalid_metadata': { 'zh-CN': '上传信息不完整或有误：{detail}', en: 'The upload details are missing or wrong: {detail}' },
  'upload.consent_required': { 'zh-CN': '请先同意活动条款再上传。', en: 'Please accept the campaign terms before uploading.' },
  'upload.length_required': { 'zh-CN': '上传前需要知道文件大小。', en: 'The file size must be known before uploading.' },
  'upload.not_member': { 'zh-CN': '请先报名参加该活动再投稿。', en: 'Join this campaign before submitting to it.' },
  'upload.unknown_theme': { 'zh-CN': '该活动没有这个主题。', en: 'This campaign has no such theme.' },
  'upload.too_large': {
    'zh-CN': '文件太大，本活动单个视频不超过 {maxMiB} MB。',
    en: 'The file is too large: this campaign accepts up to {maxMiB} MB per video.',
  },
  'upload.too_many_concurrent': {
    'zh-CN': '同时上传的视频最多 {max} 个，请等当前上传完成。',
    en: 'At most {max} uploads at a time. Please wait for one to finish.',
  },
  'upload.daily_limit': {
    'zh-CN': '今天的上传量已达上限（{maxMiB} MB），请明天再试。',
    en: 'You have reached today’s upload limit ({maxMiB} MB). Please try again tomorrow.',
  },
  'upload.not_found': { 'zh-CN': '找不到该上传。', en: 'No such upload.' },
  'upload.open_bytes_limit': {
    'zh-CN': '未完成的上传合计不能超过 {maxMiB} MB，请先完成或取消正在进行的上传。',
    en: 'Your unfinished uploads may hold at most {maxMiB} MB together. Finish or cancel one first.',
  },
  'upload.invalid_text': {
    'zh-CN': '上传信息“{field}”含有不允许的字符（如空字符或控制字符）。',
    en: 'The upload detail “{field}” contains characters that are not allowed (such as NUL or control characters).',
  },
  'upload.offset_mismatch': {
    'zh-CN': '上传位置与服务器不一致，请先查询已上传的进度再继续。',
    en: 'The upload offset does not match the server’s. Ask for the current offset (HEAD) and continue from there.',
  },
  'upload.size_exceeded': { 'zh-CN': '发送的数据超过了上传声明的大小。', en: 'More bytes were sent than the upload declared.' },
  'upload.gone': { 'zh-CN': '上传已过期或已被删除，请重新上传。', en: 'The upload has expired or was removed. Please upload again.' },
  'upload.busy': { 'zh-CN': '该上传正被另一个请求使用，请稍后再试。', en: 'Another request is using this upload. Please try again shortly.' },
  'upload.already_finished': {
    'zh-CN': '该上传已经完成，不能取消；如需撤回请在我的作品中操作。',
    en: 'This upload has finished and cannot be cancelled; withdraw the submission instead.',
  },
  'upload.protocol_required': {
    'zh-CN': '上传需要使用 tus 1.0.0 协议（Tus-Resumable 头）。',
    en: 'Uploads use the tus 1.0.0 protocol (Tus-Resumable header).',
  },
  'upload.invalid_request': { 'zh-CN': '上传请求有误：{detail}', en: 'The upload request is not valid: {detail}' },
  'upload.unsupported': { 'zh-CN': '不支持该上传方式：{detail}', en: 'This kind of upload is not supported: {detail}' },
  'upload.expired': { 'zh-CN': '上传已过期，请重新上传。', en: 'The upload expired. Please upload again.' },
  'submission.not_found': { 'zh-CN': '找不到该作品。', en: 'No such submission.' },
  'submission.already_adopted': { 'zh-CN': '作品已被采用，不能撤回。', en: 'This submission has been adopted and can no longer be withdrawn.' },
  'media.empty': { 'zh-CN': '文件是空的（0 字节）。', en: 'The file is empty (0 bytes).' },
  'media.not_video': { 'zh-CN': '这不是视频文件。', en: 'This is not a video file.' },
  'media.playlist_refused': { 'zh-CN': '不接受播放列表文件，请上传视频本身。', en: 'Playlist files are not accepted. Please upload the video itself.' },
  'media.unreadable': { 'zh-CN': '视频文件不完整或已损坏，无法读取。', en: 'The video file is incomplete or damaged and cannot be read.' },
  'media.no_video': { 'zh-CN': '文件里没有视频画面（可能只有声音）。', en: 'The file has no video picture (perhaps only sound).' },
  'media.too_short': { 'zh-CN': '视频太短：{seconds} 秒，至少需要 {min} 秒。', en: 'The video is too short: {seconds} s; it must be at least {min} s.' },
  'media.too_long': { 'zh-CN': '视频太长：{seconds} 秒，最长 {max} 秒。', en: 'The video is too long: {seconds} s; it may be at most {max} s.' },
  'media.frame_too_small': {
    'zh-CN': '画面太小（{width}×{height}），每边至少 240 像素。',
    en: 'The picture is too small ({width}×{height}); each side must be at least 240 px.',
  },
  'media.frame_too_large': {
    'zh-CN': '画面太大（{width}×{height}），每边最多 4096 像素。',
    en: 'The picture is too large ({width}×{height}); each side may be at most 4096 px.',
  },
  'media.undecodable': { 'zh-CN': '视频开头的画面无法解码。', en: 'The first frames of the video cannot be decoded.' },
  'media.corrupt': { 'zh-CN': '视频中间有损坏的片段，请重新导出后上传。', en: 'Part of the video is damaged. Please export it again and re-upload.' },
  'edit.not_uploading': { 'zh-CN': '这个剪辑已经不再接收片段。', en: 'This edit no longer accepts clips.' },
  'edit.no_such_clip': { 'zh-CN': '这个剪辑没有该片段。', en: 'This edit has no such clip.' },
  'edit.clip_already_uploaded': { 'zh-CN': '该片段已经上传过了。', en: 'This clip has already been uploaded.' },
  'edit.clip_size_mismatch': { 'zh-CN': '片段大小与剪辑时声明的不一致。', en: 'The clip’s size differs from the one given when the edit was made.' },
  'edit.cut_out_of_range': {
    'zh-CN': '第 {clip} 段的剪切范围无效：需在 0 到 {duration} 秒之间，且至少保留 1 秒。',
    en: 'The cut of clip {clip} is not valid: it must lie between 0 and {duration} s and keep at least 1 s.',
  },
  'edit.caption_too_long': { 'zh-CN': '字幕最多 40 个字。', en: 'The caption may be at most 40 characters.' },
  'edit.no_video': { 'zh-CN': '第 {clip} 段没有视频画面。', en: 'Clip {clip} has no video picture.' },
  'edit.too_many_clips': { 'zh-CN': '最多只能拼接 5 段视频。', en: 'At most 5 clips can be joined.' },
  'edit.no_clips': { 'zh-CN': '请至少选择一段视频。', en: 'Choose at least one clip.' },
  'media.processing_failed': { 'zh-CN': '视频处理失败，请稍后重新上传。', en: 'Processing the video failed. Please upload it again later.' },
  'ledger.invalid_transfer': { 'zh-CN': '账务记录无效：{detail}', en: 'The ledger transfer is not valid: {detail}' },
  'ledger.idempotency_conflict': {
    'zh-CN': '该操作已用不同的内容记过账，不能重复提交。',
    en: 'This operation was already recorded with different details and cannot be repeated.',
  },
  'ledger.insufficient_funds': {
    'zh-CN': '余额不足：当前余额 {balanceFen} 分，需要 {amountFen} 分。',
    en: 'Insufficient balance: {balanceFen} fen available, {amountFen} fen needed.',
  },
  'ledger.account_not_found': { 'zh-CN': '找不到该账户。', en: 'No such ledger account.' },
  'ledger.transfer_not_found': { 'zh-CN': '找不到该笔账务记录。', en: 'No such ledger transfer.' },
  'ledger.already_reversed': { 'zh-CN': '该笔账务已冲正过。', en: 'This transfer has already been reversed.' },
  'ledger.not_reversible': { 'zh-CN': '冲正记录不能再次冲正。', en: 'A reversal cannot itself be reversed.' },
  'desk.out_of_scope': { 'zh-CN': '该作品不在你所在工作室的审核范围内。', en: 'This submission is not in your studio’s queue.' },
  'desk.claimed_by_other': { 'zh-CN': '{name} 正在处理这条作品。', en: '{name} is working on this submission.' },
  'desk.not_in_review': { 'zh-CN': '这条作品当前不在待审状态。', en: 'This submission is not waiting for review.' },
  'desk.already_adopted': {
    'zh-CN': '这条作品已按 {grade} 级采用；如需改级，请使用改级功能。',
    en: 'This submission was already adopted at grade {grade}; change the grade instead.',
  },
  'desk.not_adopted': { 'zh-CN': '只有已采用的作品才能改级。', en: 'Only adopted submissions can be regraded.' },
  'desk.grade_changed': { 'zh-CN': '等级已被改为 {grade}，请刷新后再试。', en: 'The grade has meanwhile changed to {grade}. Please reload and try again.' },
  'desk.unknown_grade': { 'zh-CN': '等级 {grade} 不在本活动的等级表中（{grades}）。', en: 'Grade {grade} is not in this campaign’s grade table ({grades}).' },
  'desk.reason.not_newsworthy': { 'zh-CN': '编辑认为这条视频的新闻价值不足。{note}', en: 'The editors found too little news value in this video.{note}' },
  'desk.reason.poor_quality': { 'zh-CN': '画面或声音质量不足以发布。{note}', en: 'The picture or sound quality is not good enough to publish.{note}' },
  'desk.reason.off_theme': { 'zh-CN': '这条视频与活动主题不符。{note}', en: 'The video does not fit the campaign’s theme.{note}' },
  'desk.reason.duplicate': { 'zh-CN': '这条视频与已有作品重复。{note}', en: 'The video repeats one we already have.{note}' },
  'desk.reason.rights': { 'zh-CN': '这条视频可能涉及版权或肖像权问题。{note}', en: 'The video may raise copyright or likeness-rights questions.{note}' },
  'desk.reason.unsafe': { 'zh-CN': '这条视频含有不宜发布的内容。{note}', en: 'The video contains content we cannot publish.{note}' },
  'desk.reason.other': { 'zh-CN': '编辑未采用这条视频。{note}', en: 'The editors did not adopt this video.{note}' },
  'studio.not_found': { 'zh-CN': '找不到该工作室。', en: 'No such studio.' },
  'studio.route_taken': { 'zh-CN': '该活动或主题已经分配给了另一个工作室。', en: 'This campaign or theme is already routed to another studio.' },
  'studio.unknown_reference': {
    'zh-CN': '负责人、成员或活动不存在。',
    en: 'The lead, a member or a campaign does not exist.',
  },
  'studio.name_taken': { 'zh-CN': '已有同名工作室。', en: 'A studio with this name already exists.' },
  'package.length': {
    'zh-CN': '{channel} 的 {field} 需要 {min}–{max} 个字，现在是 {actual} 个。',
    en: 'The {field} for {channel} must be {min}–{max} characters; it is {actual}.',
  },
  'package.too_many_tags': { 'zh-CN': '{channel} 最多 {max} 个标签。', en: '{channel} takes at most {max} tags.' },
  'package.bad_cover': { 'zh-CN': '封面必须取自这条视频的画面。', en: 'The cover must be one of this video’s own frames.' },
  'daily_pick.past_day': { 'zh-CN': '不能修改已经过去的日期。', en: 'Days in the past cannot be changed.' },
  'payout.below_minimum': { 'zh-CN': '提现金额不能低于 {minYuan} 元。', en: 'The minimum withdrawal is {minYuan} yuan.' },
  'payout.insufficient_balance': {
    'zh-CN': '余额不足：可提现 {balanceYuan} 元，申请了 {amountYuan} 元。',
    en: 'Insufficient balance: {balanceYuan} yuan available, {amountYuan} yuan requested.',
  },
  'payout.bank_name_required': { 'zh-CN': '提现到银行卡时请填写开户行。', en: 'Please give the bank’s name for a bank transfer.' },
  'payout.invalid_account': { 'zh-CN': '收款账号格式不正确（{method}）。', en: 'The account does not look right for {method}.' },
  'payout.balance_owed': {
    'zh-CN': '作品改级后你需退回 {owedYuan} 元，之后的收入会先抵扣这笔款项，抵清前暂不能提现。',
    en: 'After a regrade you owe {owedYuan} yuan back. Your next earnings settle it first; withdrawals open again once it is settled.',
  },
  'payout.unprintable_name': {
    'zh-CN': '收款人姓名含有控制字符或不可见的方向符号，请删除后重新输入。',
    en: 'The payee name contains control characters or invisible direction marks. Please retype it without them.',
  },
  'payout.unprintable_account': {
    'zh-CN': '收款账号含有控制字符或不可见的方向符号，请删除后重新输入。',
    en: 'The account contains control characters or invisible direction marks. Please retype it without them.',
  },
  'payout.unprintable_bank_name': {
    'zh-CN': '开户行含有控制字符或不可见的方向符号，请删除后重新输入。',
    en: 'The bank name contains control characters or invisible direction marks. Please retype it without them.',
  },
  'payout.request_conflict': {
    'zh-CN': '该提现申请已用不同的内容提交过，请刷新后重新申请。',
    en: 'This withdrawal request was already submitted with different details. Please reload and try again.',
  },
  'payout.not_found': { 'zh-CN': '找不到该提现申请。', en: 'No such withdrawal.' },
  'payout.not_batchable': {
    'zh-CN': '有 {count} 笔提现不是待处理状态、已在其他批次中或收款方式不符，整批未创建。',
    en: '{count} withdrawal(s) are not waiting, already in a batch or use another method; the batch was not created.',
  },
  'payout.not_markable': { 'zh-CN': '这笔提现当前为「{status}」状态，不能标记为{target}。', en: 'This withdrawal is {status} and cannot be marked {target}.' },
  'payout.details_unreadable': {
    'zh-CN': '收款信息无法解密，请检查 PAYOUT_DETAILS_KEY 配置。',
    en: 'The payment details cannot be decrypted; check the PAYOUT_DETAILS_KEY setting.',
  },
  'payout_batch.not_found': { 'zh-CN': '找不到该批次。', en: 'No such payout batch.' },
  'payout_batch.duplicate_payouts': { 'zh-CN': '同一笔提现在批次中出现了多次。', en: 'A withdrawal appears more than once in the batch.' },
  'rain.session_not_found': { 'zh-CN': '找不到该场红包雨。', en: 'No such red-packet rain session.' },
  'rain.session_exists': { 'zh-CN': '该活动在这个时间已有一场红包雨。', en: 'This campaign already has a red-packet rain at that time.' },
  'rain.no_packets_left': { 'zh-CN': '手慢了，红包已被抢完。', en: 'Too late: every red packet has been taken.' },
  'rain.already_grabbed': { 'zh-CN': '本场红包雨你已经抢到过红包了。', en: 'You have already won a red packet in this session.' },
  'rain.busy': { 'zh-CN': '抢红包的人太多了，请再点一次。', en: 'Too many people are grabbing at once. Tap again.' },
  'rain.not_open': { 'zh-CN': '红包雨当前未开放。', en: 'This red-packet rain is not open right now.' },
  'rain.bad_token': { 'zh-CN': '请从红包雨页面参与抢红包。', en: 'Please grab red packets from the rain page.' },
  'rain.account_too_new': {
    'zh-CN': '新注册的账号需等待 {minutes} 分钟后才能抢红包。',
    en: 'New accounts can grab red packets {minutes} minutes after signing up.',
  },
  'rain.not_eligible': { 'zh-CN': '请先报名参加该活动再抢红包。', en: 'Join this campaign to grab its red packets.' },
  'rain.submission_required': {
    'zh-CN': '本场红包雨仅限在本活动投过稿的拍客参与。',
    en: 'This rain is for contributors who have submitted a video to the campaign.',
  },
  'rain.grab_not_found': { 'zh-CN': '找不到该红包记录。', en: 'No such red-packet win.' },
  'rain.not_held': { 'zh-CN': '该红包未被冻结，无需放行。', en: 'This win is not held and needs no release.' },
  'chart.invalid_week': {
    'zh-CN': '周次“{week}”无效：请使用 YYYY-Www 格式的 ISO 周（例如 2026-W48），且该年确有这一周。',
    en: 'Week “{week}” is not valid: use an ISO week YYYY-Www (e.g. 2026-W48) that exists in that year.',
  },
  'chart.week_not_started': { 'zh-CN': '{week} 周尚未开始。', en: 'Week {week} has not started yet.' },
  'chart.week_outside_campaign': { 'zh-CN': '{week} 周不在该活动的时间范围内。', en: 'Week {week} is outside this campaign’s dates.' },
  'grand_prize.not_found': { 'zh-CN': '该视频没有终极大奖提名。', en: 'This video has no grand-prize nomination.' },
  'grand_prize.not_confirmable': {
    'zh-CN': '该提名暂不能确认（状态：{status}）：须在复核期满后传播量仍达到门槛。',
    en: 'This nomination cannot be confirmed (status: {status}): its reach must still pass the threshold when rechecked after the hold-back.',
  },
  'grand_prize.over_cap': {
    'zh-CN': '超出本活动终极大奖总额，剩余可发 {remainingYuan} 元。',
    en: 'This exceeds the campaign’s grand-prize amount: {remainingYuan} yuan left.',
  },
  'grand_prize.already_confirmed': {
    'zh-CN': '该大奖已确认，金额为 {amountYuan} 元，不能更改。',
    en: 'This prize was already confirmed at {amountYuan} yuan and cannot be changed.',
  },
  'grand_prize.held': {
    'zh-CN': '该提名的传播量疑似刷量，已暂扣待审核：请先在“待审奖励”中放行。',
    en: 'This nomination’s reach looks forged and is held for review: release it under held rewards first.',
  },
  'propagation_hold.not_found': { 'zh-CN': '没有这条待审奖励。', en: 'No such held reward.' },
  'propagation_hold.already_decided': {
    'zh-CN': '这条待审奖励已处理（{status}），不能再改。',
    en: 'This held reward was already decided ({status}) and cannot be changed.',
  },
  'dashboard.invalid_range': { 'zh-CN': '时间范围无效：开始时间须早于结束时间。', en: 'Invalid range: “from” must be before “to”.' },
  'dashboard.range_too_long': {
    'zh-CN': '时间范围太长：最多 {max} 个时间段，请缩短范围或改为按天查看。',
    en: 'The range is too long: at most {max} buckets. Shorten it or use daily buckets.',
  },
  'beacon.not_live': { 'zh-CN': '这条视频不存在或尚未在该渠道发布。', en: 'No video with this id is live on that channel.' },
  'beacon.kiosk_key_required': { 'zh-CN': '阅报栏的播放记录需要提供屏幕密钥（x-kiosk-key）。', en: 'Kiosk plays need the screen’s key (x-kiosk-key).' },
  'beacon.kiosk_key_invalid': { 'zh-CN': '屏幕密钥无效。', en: 'The screen key is not valid.' },
  'beacon.too_old': {
    'zh-CN': '播放记录太旧：只接受 {hours} 小时内发生的播放。',
    en: 'The play is too old: only plays from the last {hours} hours are accepted.',
  },
  'beacon.in_future': { 'zh-CN': '播放时间晚于当前时间，请检查设备时钟。', en: 'The play is dated in the future. Check the device’s clock.' },
  'publication.not_found': { 'zh-CN': '找不到该发布记录。', en: 'No such publication.' },
  'publication.not_retryable': {
    'zh-CN': '当前状态（{status}）不能重试，只有发布失败的才能重试。',
    en: 'Only a failed publication can be retried (this one is {status}).',
  },
  'publication.schedule_in_past': { 'zh-CN': '定时发布的时间已经过去，请选择将来的时间。', en: 'That time has passed. Choose a time in the future.' },
  'publication.not_schedulable': {
    'zh-CN': '已发出的稿件不能再定时（当前状态：{status}）。',
    en: 'This publication has already gone out ({status}); it cannot be rescheduled.',
  },
  'publication.not_unpublishable': { 'zh-CN': '当前状态（{status}）不能撤稿。', en: 'A publication that is {status} cannot be taken down.' },
  'channel.not_connected': {
    'zh-CN': '{channel} 账号尚未连接，请管理员先在“渠道账号”中连接。',
    en: 'The {channel} account is not connected. An admin must connect it under Channel accounts first.',
  },
  'channel.secret_required': { 'zh-CN': '请填写应用密钥（AppSecret）。', en: 'Enter the app secret.' },
  'channel.not_oauth': {
    'zh-CN': '{channel} 不通过授权登录连接，或尚未填写应用信息。',
    en: '{channel} does not connect by sign-in, or its app details are missing.',
  },
  'channel.bad_state': {
    'zh-CN': '授权链接已失效或被篡改，请回到渠道账号页面重新连接。',
    en: 'The authorization link expired or was altered. Start again from the Channel accounts page.',
  },
  'channel.connect_failed': { 'zh-CN': '连接 {channel} 失败：{reason}', en: 'Could not connect {channel}: {reason}' },
  'kiosk.name_taken': { 'zh-CN': '已有同名的屏幕。', en: 'A screen with this name already exists.' },
  'kiosk.key_invalid': { 'zh-CN': '屏幕密钥无效。', en: 'The screen key is not valid.' },
  'kiosk.pairing_not_found': { 'zh-CN': '配对已失效，屏幕会显示新的配对码。', en: 'This pairing is gone; the screen will show a new code.' },
  'kiosk.pairing_secret_invalid': { 'zh-CN': '配对凭据无效。', en: 'The pairing secret is not valid.' },
  'kiosk.code_unknown': {
    'zh-CN': '没有屏幕正在显示这个配对码。配对码 10 分钟内有效，请核对屏幕上的号码。',
    en: 'No screen is showing this code. Codes last 10 minutes: check the code on the screen.',
  },
  'kiosk.group_name_taken': { 'zh-CN': '已有同名的屏幕分组。', en: 'A screen group with this name already exists.' },
  'kiosk.group_not_found': { 'zh-CN': '找不到该屏幕分组。', en: 'No such screen group.' },
  'kiosk.screen_not_found': { 'zh-CN': '找不到该屏幕。', en: 'No such screen.' },
  'kiosk.layer_not_found': { 'zh-CN': '找不到该排期。', en: 'No such schedule layer.' },
  'kiosk.too_many_layers': { 'zh-CN': '排期层太多（每个分组或屏幕最多 {max} 层）。', en: 'Too many schedule layers (at most {max} per group or screen).' },
  'kiosk.command_not_found': { 'zh-CN': '找不到该指令，或它已完成。', en: 'No such command, or it is already done.' },
  'kiosk.screen_revoked': { 'zh-CN': '该屏幕的密钥已吊销，请重新配对。', en: 'This screen’s key is revoked: pair it again.' },
  'kiosk.screenshot_invalid': { 'zh-CN': '截图不是可读的 PNG 或 JPEG 图片。', en: 'The screenshot is not a readable PNG or JPEG image.' },
  'kiosk.screenshot_none': { 'zh-CN': '这块屏幕还没有截图。', en: 'This screen has not sent a screenshot yet.' },
  'kiosk.campaign_not_found': { 'zh-CN': '找不到该活动。', en: 'No such campaign.' },
  // Issue 16, lending (docs/lending.md).
  'lending.title_not_found': { 'zh-CN': '找不到这本书刊，或它已下架。', en: 'No such title, or it has been withdrawn.' },
  'lending.loan_not_found': { 'zh-CN': '找不到该借阅记录。', en: 'No such loan.' },
  'lending.hold_not_found': { 'zh-CN': '找不到该预约。', en: 'No such hold.' },
  'lending.cover_none': { 'zh-CN': '这本书刊没有封面。', en: 'This title has no cover.' },
  'lending.file_type': {
    'zh-CN': '请以 application/epub+zip 或 application/pdf 的内容类型上传文件本身。',
    en: 'Send the file itself with content type application/epub+zip or application/pdf.',
  },
  'lending.title_required': { 'zh-CN': '请填写书刊名称（PDF 文件不带书名）。', en: 'Give the title (a PDF does not carry one).' },
  'lending.title_exists': { 'zh-CN': '同一个文件已在借阅目录中。', en: 'This very file is already in the lending catalogue.' },
  'lending.licence_ended': {
    'zh-CN': '这本书刊的授权已到期或借阅次数已用完，暂不能借阅或预约。',
    en: 'This title’s licence has ended or its loans are used up: it cannot be borrowed or held now.',
  },
  'lending.loan_ended': { 'zh-CN': '这次借阅已结束（已归还或已到期）。', en: 'This loan has ended (returned or expired).' },
  'lending.hold_not_offered': { 'zh-CN': '还没轮到你：有书可借时会通知你。', en: 'It is not your turn yet: a copy will be offered to you when one is free.' },
  'lending.hold_ended': { 'zh-CN': '这条预约已结束（已取消、已过期或已借出）。', en: 'This hold has ended (cancelled, lapsed or borrowed).' },
  'lending.position_stale': {
    'zh-CN': '另一台设备已保存了更新的阅读进度。',
    en: 'Another device has saved a newer reading position.',
  },
  'lending.position_in_future': {
    'zh-CN': '阅读进度的时间晚于服务器时间，请校准设备时钟。',
    en: 'The position is dated in the future: check the device’s clock.',
  },
  'lending.token_invalid': { 'zh-CN': '文件链接无效或已过期，请重新打开。', en: 'This file link is not valid or has expired: open the book again.' },
  // Issue 16, study (docs/study.md).
  'study.collection_not_found': { 'zh-CN': '找不到该学习专题，或它尚未发布。', en: 'No such study collection, or it is not published.' },
  'study.item_not_found': { 'zh-CN': '找不到该学习内容。', en: 'No such study item.' },
  'study.question_not_found': { 'zh-CN': '找不到该题目。', en: 'No such question.' },
  'study.collection_empty': { 'zh-CN': '学习专题里还没有内容，不能发布。', en: 'The collection has no items yet, so it cannot be published.' },
  'study.ref_unusable': {
    'zh-CN': '不能加入该内容：文章须已在网站发布，视频须已采用，PDF 须是借阅目录中在架的 PDF。',
    en: 'This cannot be added: an article must be published on the web, a video adopted, a PDF a listed PDF lending title.',
  },
  'study.question_invalid': {
    'zh-CN': '题目有误（{detail}）：正确答案须是不重复的选项序号，题目须属于本专题。',
    en: 'The question is not valid ({detail}): right answers must be distinct option indexes, and the item must be in this collection.',
  },
  'study.sign_in_not_found': { 'zh-CN': '找不到该扫码登录，请重新扫描屏幕上的二维码。', en: 'No such sign-in: scan the code on the screen again.' },
  'study.sign_in_secret_invalid': { 'zh-CN': '扫码登录凭据无效。', en: 'The sign-in secret is not valid.' },
  'study.sign_in_expired': { 'zh-CN': '二维码已过期，请扫描屏幕上的新二维码。', en: 'This code has expired: scan the new code on the screen.' },
  'study.sign_in_used': { 'zh-CN': '这个二维码已经用过了，请扫描屏幕上的新二维码。', en: 'This code has been used already: scan the new code on the screen.' },
  'study.session_invalid': { 'zh-CN': '学习会话已结束或已超时，请重新登录。', en: 'The study session has ended or timed out: sign in again.' },
  'study.view_not_found': { 'zh-CN': '找不到这次阅读记录。', en: 'No such reading or viewing.' },
  'study.view_closed': { 'zh-CN': '这次阅读已结束（已完成，或已开始学习其他内容）。', en: 'This view is over (finished, or another item was started).' },
  'study.dwell_too_short': {
    'zh-CN': '学习时间还不够，请至少学习 {seconds} 秒后再完成。',
    en: 'Not long enough yet: study it for at least {seconds} seconds before finishing.',
  },
  'study.quiz_none': { 'zh-CN': '这里没有测验题。', en: 'There is no quiz here.' },
  'study.attempt_not_found': { 'zh-CN': '找不到这次答题。', en: 'No such quiz attempt.' },
  'study.attempt_submitted': { 'zh-CN': '这次答题已经提交过了，请重新开始答题。', en: 'This attempt has been answered already: start a new one.' },
  'study.attempt_expired': { 'zh-CN': '答题已超时，请重新开始答题。', en: 'This attempt has expired: start a new one.' },
  'study.answer_invalid': {
    'zh-CN': '答案与本次题目不符，请刷新后重新作答。',
    en: 'The answers do not match this attempt’s questions: reload and answer again.',
  },
  'study.too_many_tasks': { 'zh-CN': '操作太频繁，请 {seconds} 秒后再试。', en: 'Too many tasks at once. Try again in {seconds} seconds.' },
  'epub.too_large': { 'zh-CN': 'EPUB 文件过大（最大 100 MB）。', en: 'The EPUB is too large (at most 100 MB).' },
  'epub.not_zip': { 'zh-CN': '这不是可读的 EPUB（ZIP）文件。', en: 'This is not a readable EPUB (ZIP) file.' },
  'epub.too_many_entries': { 'zh-CN': 'EPUB 内的文件太多（最多 2000 个）。', en: 'The EPUB holds too many files (at most 2000).' },
  'epub.zip_bomb': {
    'zh-CN': 'EPUB 解压后异常巨大（疑似压缩炸弹），已拒绝。',
    en: 'The EPUB inflates to an abnormal size (a zip bomb) and was refused.',
  },
  'epub.unsafe_path': {
    'zh-CN': 'EPUB 内含不安全的文件路径（如 ../ 或绝对路径），已拒绝。',
    en: 'The EPUB contains an unsafe file path (such as ../ or an absolute path) and was refused.',
  },
  'epub.bad_mimetype': { 'zh-CN': 'EPUB 缺少正确的 mimetype 文件。', en: 'The EPUB lacks a correct mimetype entry.' },
  'epub.no_container': { 'zh-CN': 'EPUB 缺少 META-INF/container.xml。', en: 'The EPUB lacks META-INF/container.xml.' },
  'epub.no_opf': { 'zh-CN': 'EPUB 找不到它的包文件（OPF）。', en: 'The EPUB’s package document (OPF) is missing.' },
  'pdf.not_pdf': { 'zh-CN': '这不是 PDF 文件。', en: 'This is not a PDF file.' },
  'pdf.too_large': { 'zh-CN': 'PDF 文件过大（最大 200 MB）。', en: 'The PDF is too large (at most 200 MB).' },
  'pdf.active_content': {
    'zh-CN': 'PDF 含有可执行内容（{found}），已拒绝。请让出版方提供不含脚本的版本。',
    en: 'The PDF contains active content ({found}) and was refused. Ask the publisher for a version without it.',
  },
  // Issue 16, the e-paper (docs/epaper.md).
  'epaper.file_type': {
    'zh-CN': '请以 application/pdf 的内容类型上传报纸 PDF 文件本身。',
    en: 'Send the newspaper PDF itself with content type application/pdf.',
  },
  'epaper.too_many_pages': {
    'zh-CN': '这份 PDF 有 {pages} 个版面，一期电子报最多 {max} 个版面。',
    en: 'This PDF has {pages} pages; an e-paper edition has at most {max}.',
  },
  'epaper.pdf_unreadable': {
    'zh-CN': '无法读取这份 PDF（{detail}）。请导出一份新的 PDF 再上传。',
    en: 'This PDF cannot be read ({detail}). Export a fresh PDF and upload it again.',
  },
  'epaper.page_shape': {
    'zh-CN': '第 {page} 版的尺寸不像报纸版面（宽高比超过 1:{max}），已拒绝。',
    en: 'Page {page} is not shaped like a newspaper page (beyond 1:{max}) and was refused.',
  },
  'epaper.render_timeout': {
    'zh-CN': '版面转换超时（{detail}）。请导出一份更简单的 PDF 再上传。',
    en: 'Turning the pages into images took too long ({detail}). Export a simpler PDF and upload it again.',
  },
  'epaper.render_failed': { 'zh-CN': '版面转换失败：{detail}', en: 'Turning the pages into images failed: {detail}' },
  'epaper.poppler_missing': {
    'zh-CN': '服务器未安装 PDF 转换工具 pdftoppm。请以 root 运行 apt-get install poppler-utils。',
    en: 'The PDF converter pdftoppm is not installed on the server. Run apt-get install poppler-utils as root.',
  },
  'epaper.edition_exists': {
    'zh-CN': '《{title}》{date} 这一期已经上传过。要重新上传，请先删除它。',
    en: '{title} of {date} is already uploaded. Delete it first to upload it again.',
  },
  'epaper.edition_not_found': { 'zh-CN': '找不到这一期电子报。', en: 'No such e-paper edition.' },
  'epaper.page_not_found': { 'zh-CN': '找不到这个版面。', en: 'No such page.' },
  'epaper.not_ready': {
    'zh-CN': '这一期还不能发布（状态：{status}）。版面转换完成后才能发布。',
    en: 'This edition cannot be published yet (status: {status}). Publish it once its pages are ready.',
  },
  'epaper.story_unknown': { 'zh-CN': '{field} 指向的稿件不存在。', en: '{field} names a story that does not exist.' },
  'epaper.too_many_zones': { 'zh-CN': '一个版面最多 {max} 个热区。', en: 'A page has at most {max} zones.' },
  'epaper.print_forms_none': {
    'zh-CN': '没有计划在 {date} 这个版面（{page}）的报纸版稿件，请手动绘制热区。',
    en: 'No print form is planned for {date} on this page ({page}): draw the zones by hand.',
  },
  'metrics.invalid_sample': { 'zh-CN': '传播数据无效：{detail}', en: 'The propagation figures are not valid: {detail}' },
  'notice.not_found': { 'zh-CN': '找不到该通知。', en: 'No such notice.' },
  'notice.reach': { 'zh-CN': '你火了！《{title}》的传播量突破 {milestone}。', en: 'You’re taking off! “{title}” has passed {milestone} views.' },
  'notice.chart': { 'zh-CN': '《{title}》登上风云榜 {week} 第 {rank} 名！', en: '“{title}” is number {rank} on the weekly chart for {week}!' },
  'notice.grand_prize': { 'zh-CN': '你火了！《{title}》荣获终极大奖 {amountYuan} 元！', en: '“{title}” has won the grand prize: {amountYuan} yuan!' },
  'notice.publication': { 'zh-CN': '《{title}》已在{channel}发布。', en: '“{title}” is now live on {channel}.' },
  'notice.sms.reach': { 'zh-CN': '传播量突破 {milestone}', en: 'passed {milestone} views' },
  'notice.sms.chart': { 'zh-CN': '登上风云榜第{rank}名', en: 'is #{rank} on the weekly chart' },
  'notice.sms.grand_prize': { 'zh-CN': '荣获终极大奖', en: 'won the grand prize' },
  'notice.sms.publication': { 'zh-CN': '已在{channel}发布', en: 'is live on {channel}' },
  'notice.email.footer': { 'zh-CN': '在拍客查看：{url}', en: 'See it on Paike: {url}' },
  // ---- my data: account deletion and export (modules/privacy, docs/privacy.md) ----
  'erasure.balance_positive': {
    'zh-CN': '你的余额还有 {amountYuan} 元，请先提现，到账后再注销账户。',
    en: 'You still have {amountYuan} yuan on your balance. Withdraw it first; once it has been paid you can delete your account.',
  },
  'erasure.balance_owed': {
    'zh-CN': '调整评级后你还欠 {amountYuan} 元，结清前不能注销账户。',
    en: 'After a regrade you owe {amountYuan} yuan back. The account cannot be deleted until that is settled.',
  },
  'erasure.payout_open': {
    'zh-CN': '你有 {count} 笔提现还在处理中，完成后才能注销账户。',
    en: '{count} withdrawal(s) are still being processed. You can delete your account once they are done.',
  },
  'erasure.rain_unpaid': {
    'zh-CN': '你有 {count} 个红包还没入账（含待审核的），入账或审核结束后才能注销账户。',
    en: '{count} red-packet win(s) have not been paid yet (held ones included). You can delete your account once they are settled.',
  },
  'erasure.reward_pending': {
    'zh-CN': '你有 {count} 笔奖励正在审核，审核结束后才能注销账户。',
    en: '{count} reward(s) are waiting for review. You can delete your account once they are decided.',
  },
  'erasure.open_money': {
    'zh-CN': '账户里还有未结清的款项，暂时不能注销：{reasons}',
    en: 'Money on this account is still open, so it cannot be deleted yet: {reasons}',
  },
  'erasure.staff_account': {
    'zh-CN': '工作人员账号不能自行注销，请联系管理员。',
    en: 'Staff accounts cannot delete themselves. Please ask an admin.',
  },
  'erasure.wrong_password': { 'zh-CN': '当前密码不正确。', en: 'The current password is wrong.' },
  'erasure.password_required': { 'zh-CN': '请输入当前密码以确认是你本人。', en: 'Enter your current password to confirm it is you.' },
  'erasure.code_required': { 'zh-CN': '请输入发到你手机上的验证码以确认是你本人。', en: 'Enter the code texted to your phone to confirm it is you.' },
  'erasure.sign_in_again': {
    'zh-CN': '为确认是你本人，请先退出，再用微信重新登录，并在 {minutes} 分钟内注销。',
    en: 'To confirm it is you, sign out, sign in again with WeChat, and delete the account within {minutes} minutes.',
  },
  'erasure.no_phone': { 'zh-CN': '这个账号没有绑定手机号。', en: 'This account has no phone number.' },
  // ---- WeChat sign-in and the WeChat Pay payee (issue 13) ----
  'wechat.not_configured': { 'zh-CN': '本站未开通微信登录。', en: 'WeChat sign-in is not available on this site.' },
  'wechat.bad_state': {
    'zh-CN': '这个微信登录链接已失效：它已用过、已过期，或不是在本浏览器中发起的。请回到登录页重新点“微信登录”。',
    en: 'This WeChat sign-in link is no longer valid: it was already used, it expired, or it was not started in this browser. Go back to sign-in and tap “WeChat” again.',
  },
  'wechat.denied': { 'zh-CN': '你在微信中取消了授权，未登录。', en: 'You cancelled the authorisation in WeChat, so you are not signed in.' },
  'wechat.code_rejected': {
    'zh-CN': '微信授权码无效或已使用，请重新扫码登录。',
    en: 'WeChat’s authorisation code is invalid or was already used. Scan again to sign in.',
  },
  'wechat.unavailable': { 'zh-CN': '暂时无法连接微信，请稍后再试。', en: 'WeChat could not be reached. Try again in a moment.' },
  'wechat.snapshot_user': {
    'zh-CN': '请点击页面底部的“使用完整服务”后再登录。',
    en: 'Tap “使用完整服务” (use full service) at the bottom of the page, then sign in again.',
  },
  'wechat.linked_elsewhere': { 'zh-CN': '这个微信已绑定另一个拍客账号。', en: 'This WeChat is already linked to another Paike account.' },
  'wechat.already_linked': {
    'zh-CN': '你的账号已绑定另一个微信，请先解除绑定。',
    en: 'Your account is already linked to a different WeChat. Unlink it first.',
  },
  'wechat.signup_expired': {
    'zh-CN': '微信注册已超时，请重新点“微信登录”。',
    en: 'The WeChat sign-up timed out. Tap “WeChat” to start again.',
  },
  'wechat.terms_required': { 'zh-CN': '请阅读并同意拍客用户协议。', en: 'Read and accept the contributor terms to continue.' },
  'wechat.identity_not_found': { 'zh-CN': '找不到该微信绑定。', en: 'No such linked WeChat.' },
  'wechat.last_sign_in': {
    'zh-CN': '不能解除绑定：这是你唯一的登录方式。请先设置邮箱密码或绑定手机号。',
    en: 'You can’t unlink it: it is your only way to sign in. Add an email and password or a phone number first.',
  },
  'wechat.page_title': { 'zh-CN': '微信登录未完成', en: 'WeChat sign-in did not complete' },
  'wechat.page_back': { 'zh-CN': '返回登录', en: 'Back to sign-in' },
  'payout.wechat_not_linked': {
    'zh-CN': '微信提现需要先在微信中打开拍客并绑定微信（公众号授权），收款方为你的微信 openid。',
    en: 'To be paid by WeChat, first open Paike inside WeChat and link your WeChat there; the payment goes to your WeChat openid.',
  },
  'payout.wechat_account_typed': {
    'zh-CN': '微信提现不填写微信号：款项付给你已绑定的微信。',
    en: 'WeChat payouts take no typed WeChat ID: they go to your linked WeChat.',
  },
  // Issue 13, the back office: role editor, reset sign-in, studio members and leads.
  'user.confirm_admin': {
    'zh-CN': '授予管理员权限或移除自己的管理员权限需要再次确认。',
    en: 'Granting admin, or removing your own admin, must be confirmed.',
  },
  'user.disable_self': { 'zh-CN': '不能停用自己的账号。', en: 'You cannot disable your own account.' },
  'user.reset_self': {
    'zh-CN': '不能重置自己的登录；请在账号页面退出所有设备。',
    en: 'You cannot reset your own sign-in; sign out everywhere from your account page instead.',
  },
  'studio.member_not_staff': { 'zh-CN': '只有编辑、主编或管理员才能成为工作室成员。', en: 'Only editors, chief editors and admins can be studio members.' },
  'studio.lead_not_member': { 'zh-CN': '负责人必须先是该工作室的成员。', en: 'The lead must be a member of the studio first.' },
  // ---- notices: every decision reaches the contributor (issue 13; docs/notices.md) ----
  'notice.chart_prize': {
    'zh-CN': '《{title}》登上风云榜 {week} 第 {rank} 名，获奖金 {prizeYuan} 元！',
    en: '“{title}” is number {rank} on the weekly chart for {week} and wins {prizeYuan} yuan!',
  },
  'notice.adopted': {
    'zh-CN': '《{title}》已被采用：评级 {grade}，奖励 {rewardYuan} 元已计入余额。',
    en: '“{title}” has been adopted: grade {grade}, a reward of {rewardYuan} yuan is in your balance.',
  },
  'notice.rejected': { 'zh-CN': '《{title}》未被采用。{reason}', en: '“{title}” was not adopted. {reason}' },
  'notice.regraded': {
    'zh-CN': '《{title}》的评级由 {from} 调整为 {to}，奖励{diff}。',
    en: 'The grade of “{title}” changed from {from} to {to}; your reward {diff}.',
  },
  'notice.regraded.up': { 'zh-CN': '增加 {yuan} 元', en: 'rises by {yuan} yuan' },
  'notice.regraded.down': { 'zh-CN': '减少 {yuan} 元', en: 'falls by {yuan} yuan' },
  'notice.regraded.same': { 'zh-CN': '不变', en: 'is unchanged' },
  'notice.payout_paid': { 'zh-CN': '你的提现 {amountYuan} 元已付款。', en: 'Your payout of {amountYuan} yuan has been paid.' },
  'notice.payout_failed': {
    'zh-CN': '你的提现 {amountYuan} 元未能付款：{reason}。金额已退回余额。',
    en: 'Your payout of {amountYuan} yuan could not be paid: {reason}. The amount is back in your balance.',
  },
  'notice.payout_failed.no_reason': { 'zh-CN': '未说明原因', en: 'no reason given' },
  'notice.rain_held': {
    'zh-CN': '你在红包雨中抢到 {amountYuan} 元，审核中，通过后计入余额。',
    en: 'You won {amountYuan} yuan in the red-packet rain. It is under review and goes to your balance once approved.',
  },
  'notice.rain_released': {
    'zh-CN': '红包雨奖金 {amountYuan} 元已通过审核，计入余额。',
    en: 'Your red-packet win of {amountYuan} yuan passed review and is in your balance.',
  },
  'notice.rain_refused': {
    'zh-CN': '红包雨奖金 {amountYuan} 元未通过审核，不予发放。',
    en: 'Your red-packet win of {amountYuan} yuan did not pass review and will not be paid.',
  },
  'notice.push.title': { 'zh-CN': '拍客', en: 'Paike' },
  'push.not_configured': { 'zh-CN': '本站未开启推送通知。', en: 'Push notifications are not set up on this site.' },
  'push.bad_endpoint': {
    'zh-CN': '该浏览器的推送地址不被接受，请换用常见浏览器。',
    en: 'This browser’s push address is not accepted. Try a mainstream browser.',
  },
  'push.subscription_not_found': { 'zh-CN': '找不到该推送订阅。', en: 'No such push subscription.' },
  'rain.refused': { 'zh-CN': '该红包已被拒绝，不能放行。', en: 'This win was refused and cannot be released.' },
  'rain.already_released': { 'zh-CN': '该红包已放行，不能拒绝。', en: 'This win was released and cannot be refused.' },
  // Issue 13: phone numbers as typed, password reset and change (modules/accounts/phone.ts, security.service.ts).
  'phone.invalid': {
    'zh-CN': '手机号码无效，请检查后重新输入（中国大陆手机号为 11 位，例如 139 0013 9001）。',
    en: 'This phone number is not valid. Please check it (a mainland China mobile number has 11 digits, e.g. 139 0013 9001).',
  },
  'phone.not_mobile': { 'zh-CN': '这个号码不能接收短信，请填写手机号码。', en: 'This number cannot receive text messages. Please give a mobile number.' },
  'phone.country_unknown': { 'zh-CN': '不认识的国家或地区代码：{country}。', en: 'Unknown country or region code: {country}.' },
  'auth.invalid_phone_credentials': { 'zh-CN': '手机号或密码不正确。', en: 'Wrong phone number or password.' },
  'password_reset.too_many': {
    'zh-CN': '重置密码的请求过于频繁，请一小时后再试。',
    en: 'Too many password reset requests. Please try again in an hour.',
  },
  'password_reset.email_unavailable': {
    'zh-CN': '暂时无法发送邮件，请改用手机号重置密码。',
    en: 'Email cannot be sent at the moment. Please reset your password with your phone number.',
  },
  'password_reset.invalid': {
    'zh-CN': '重置链接无效，请确认打开的是邮件中的完整链接，或重新申请。',
    en: 'This reset link is not valid. Check that you opened the whole link from the email, or ask for a new one.',
  },
  'password_reset.used': {
    'zh-CN': '这个重置链接已经用过，每个链接只能用一次。如需再次重置，请重新申请。',
    en: 'This reset link has already been used; each link works once. Ask for a new one to reset again.',
  },
  'password_reset.expired': {
    'zh-CN': '重置链接已过期（有效期 {minutes} 分钟），请重新申请。',
    en: 'This reset link has expired (links last {minutes} minutes). Please ask for a new one.',
  },
  'password_reset.code_invalid': {
    'zh-CN': '验证码不正确、已使用或已过期，请检查或重新获取。',
    en: 'The code is wrong, already used or expired. Check it or ask for a new one.',
  },
  'password_reset.code_too_many': { 'zh-CN': '验证码错误次数过多，请重新获取。', en: 'Too many wrong codes. Please ask for a new one.' },
  'password_reset.email_subject': { 'zh-CN': '重置你的拍客密码', en: 'Reset your Paike password' },
  'password_reset.email_text': {
    'zh-CN':
      '{name}，你好：\n\n有人（希望是你）申请重置拍客账号的密码。打开下面的链接设置新密码；链接 {minutes} 分钟内有效，只能使用一次：\n\n{url}\n\n如果不是你本人操作，请忽略这封邮件，你的密码不会改变。',
    en: 'Hello {name},\n\nSomeone (we hope you) asked to reset the password of your Paike account. Open this link to set a new one; it works once, within {minutes} minutes:\n\n{url}\n\nIf it was not you, ignore this email: your password stays as it is.',
  },
  'password.current_required': { 'zh-CN': '请输入当前密码。', en: 'Please enter your current password.' },
  'password.current_wrong': { 'zh-CN': '当前密码不正确。', en: 'The current password is wrong.' },
  // Issue 13: the finance ledger explorer (modules/ledger/ledger.explorer.service.ts).
  'ledger.invalid_period': { 'zh-CN': '开始时间必须早于结束时间。', en: 'The start of the period must be before its end.' },
  'ledger.export_too_long': { 'zh-CN': '一次最多导出 {days} 天，请缩短期间。', en: 'An export covers at most {days} days. Choose a shorter period.' },
  'ledger.export_too_large': {
    'zh-CN': '该期间有 {count} 条分录，超过单个文件上限 {max} 条，请缩短期间。',
    en: 'That period has {count} entries, more than one file holds ({max}). Choose a shorter period.',
  },
  // Issue 14, the central kitchen: shared codes (each part appends its own block below).
  'kitchen.out_of_scope': { 'zh-CN': '该稿件不在你所在工作室的范围内。', en: 'This story belongs to a studio you are not in.' },
  'kitchen.story_not_found': { 'zh-CN': '找不到该稿件。', en: 'No such story.' },
  'kitchen.form_not_found': { 'zh-CN': '该稿件还没有这种形态。', en: 'This story has no such form.' },
  // Part `stories` (modules/kitchen/stories.*): stories, revisions, images, videos.
  'kitchen.stale_version': {
    'zh-CN': '{name} 已于 {at}（北京时间）保存了更新的版本（第 {version} 版），你的修改未保存。请打开新版本，把修改合并进去后再保存。',
    en: '{name} saved a newer version (version {version}) at {at} Beijing time; your changes were not saved. Open the newer version, apply your changes to it and save again.',
  },
  'kitchen.studio_not_found': { 'zh-CN': '找不到该工作室。', en: 'No such studio.' },
  'kitchen.revision_not_found': { 'zh-CN': '该稿件没有第 {version} 版。', en: 'This story has no version {version}.' },
  'kitchen.image_not_found': { 'zh-CN': '找不到该图片。', en: 'No such image.' },
  'kitchen.image_too_large': { 'zh-CN': '图片太大：每张不能超过 {mb} MB。', en: 'The image is too large: at most {mb} MB each.' },
  'kitchen.image_type': {
    'zh-CN': '不支持的图片类型（{type}）。请上传 JPEG、PNG、WebP、GIF 或 AVIF 图片（HEIC 请先导出为 JPEG）。',
    en: 'Unsupported image type ({type}). Upload a JPEG, PNG, WebP, GIF or AVIF image (export HEIC as JPEG first).',
  },
  'kitchen.image_unreadable': {
    'zh-CN': '无法读取这张图片：文件已损坏，或内容并不是它声明的图片格式。',
    en: 'This image cannot be read: the file is damaged, or it is not the kind of image it claims to be.',
  },
  'kitchen.too_many_images': { 'zh-CN': '一篇稿件最多 {max} 张图片。', en: 'A story has at most {max} images.' },
  'kitchen.video_not_found': { 'zh-CN': '找不到要嵌入的视频。', en: 'No such video to embed.' },
  'kitchen.video_not_adopted': {
    'zh-CN': '视频「{title}」尚未被采用：只有已采用的拍客视频才能嵌入稿件。',
    en: 'The video “{title}” has not been adopted: only adopted contributor videos can be embedded in a story.',
  },
  // Part `forms` (docs/kitchen-review.md): form variants and the review chain.
  'kitchen.form_invalid': { 'zh-CN': '形态内容有误：{detail}', en: 'The form’s content is not valid: {detail}' },
  'kitchen.field_too_long': {
    'zh-CN': '“{field}”最多 {limit} 字，现在是 {count} 字',
    en: '“{field}” takes at most {limit} characters; it has {count}',
  },
  'kitchen.field_required': { 'zh-CN': '“{field}”不能为空', en: '“{field}” cannot be empty' },
  'kitchen.field_invalid': { 'zh-CN': '“{field}”有误（{detail}）', en: '“{field}” is not valid ({detail})' },
  'kitchen.columns_too_many': {
    'zh-CN': '“columns”最多 {limit} 栏：报纸版面只有 {limit} 栏',
    en: '“columns” can be at most {limit}: the newspaper’s page has {limit} columns',
  },
  'kitchen.unknown_media': { 'zh-CN': '“{field}”不是本稿件的图片或视频', en: '“{field}” is not an image or video of this story' },
  'kitchen.form_exists': { 'zh-CN': '该稿件已有这种形态，请直接修改它。', en: 'This story already has this form; edit it instead.' },
  'kitchen.form_needs_video': {
    'zh-CN': '头条/企鹅号是视频平台：稿件里先嵌入一条视频再建这个形态。',
    en: 'Toutiao and Penguin are video platforms: embed a video in the story before making this form.',
  },
  'kitchen.form_planned': {
    'zh-CN': '这个形态还只是计划：先从稿件生成它，再修改。',
    en: 'This form is only planned: make it from the story first, then edit it.',
  },
  'kitchen.form_not_in_edit': { 'zh-CN': '只有编辑中的形态才能送审。', en: 'Only a form in edit can be submitted for review.' },
  'kitchen.form_not_in_review': { 'zh-CN': '这个形态不在审核中。', en: 'This form is not in review.' },
  'kitchen.review_moved': {
    'zh-CN': '这一步刚刚已被别人处理，请刷新查看最新状态。',
    en: 'Someone else has just acted on this step. Reload to see where the form is now.',
  },
  'kitchen.not_your_step': { 'zh-CN': '当前这一步（{role}）不由你审核。', en: 'The current step ({role}) is not yours to review.' },
  'kitchen.self_approval': {
    'zh-CN': '不能审核自己送审的稿件：初审须由另一位编辑完成。',
    en: 'You cannot review what you submitted yourself: another editor takes the first review.',
  },
  // Part `publish`.
  'kitchen.review_incomplete': {
    'zh-CN': '该形态的审核尚未完成（当前状态：{status}），审完后才能发布。',
    en: 'This form’s review is not complete (it is {status}); it can be published once its review chain has approved it.',
  },
  'kitchen.not_published': { 'zh-CN': '该形态尚未发布，无需撤下。', en: 'This form is not published, so there is nothing to take down.' },
  'kitchen.video_required': {
    'zh-CN': '头条号和企鹅号发布的是视频：请先在稿件中嵌入一条已采用的拍客视频。',
    en: 'Toutiao and Penguin publish videos: embed an adopted contributor video in the story first.',
  },
  'kitchen.print_slot_missing': {
    'zh-CN': '请先为报纸版填好刊期和版面，再付印。',
    en: 'Set the print form’s edition date and page before sending it to press.',
  },
  // Issue 14, part plan: ideas (报题), the day's board, the studios (modules/kitchen/plan.service.ts).
  'kitchen.invalid_day': { 'zh-CN': '日期“{day}”无效，请用 YYYY-MM-DD 格式（北京时间）。', en: 'The day “{day}” is not valid. Use YYYY-MM-DD (Beijing time).' },
  'kitchen.idea_not_found': { 'zh-CN': '找不到该报题。', en: 'No such story idea.' },
  'kitchen.idea_unknown_form': {
    'zh-CN': '没有“{form}”这种形态，可选：{forms}。',
    en: 'There is no form “{form}”. Choose one of: {forms}.',
  },
  'kitchen.idea_duplicate_slot': {
    'zh-CN': '“{form}”形态的版位重复了，每种形态只能有一个。',
    en: 'The {form} slot is listed twice. An idea has at most one slot per form.',
  },
  'kitchen.idea_bad_owner': { 'zh-CN': '负责人必须是能写稿的编辑。', en: 'The owner must be a staff member who can write stories.' },
  'kitchen.idea_feed_unusable': {
    'zh-CN': '只有待审或已采用的拍客视频才能用于报题。',
    en: 'Only contributor videos waiting on the desk or adopted can feed an idea.',
  },
  'kitchen.idea_has_story': { 'zh-CN': '该报题已经有稿件了。', en: 'This idea already has a story.' },
  'kitchen.idea_dropped': { 'zh-CN': '该报题已撤销，不能再生成稿件。', en: 'This idea was dropped; it cannot become a story.' },
  // Part `print` (docs/print.md).
  'kitchen.newspaper_not_found': { 'zh-CN': '找不到该报纸版式。', en: 'No such newspaper.' },
  'kitchen.newspaper_name_taken': { 'zh-CN': '已有同名的报纸。', en: 'A newspaper with this name already exists.' },
  'kitchen.print_not_rendered': {
    'zh-CN': '这篇稿件还没有印刷 PDF，请先点击“生成 PDF”。',
    en: 'This story has no print PDF yet. Render it first.',
  },
  'kitchen.print_image_missing': {
    'zh-CN': '稿件中的一张图片文件缺失（{key}），无法排版。请重新上传该图片。',
    en: 'An image file of this story is missing ({key}), so the block cannot be laid out. Upload the image again.',
  },
  'kitchen.print_chromium_missing': {
    'zh-CN':
      '服务器上找不到 Chromium（{path}），无法生成印刷 PDF。请以 root 运行 apt-get install chromium fonts-noto-cjk，或用 CHROMIUM_PATH 指向已安装的 Chromium，然后重试。稿件本身未受影响。',
    en: 'Chromium is not installed on the server ({path}), so no print PDF can be made. Run apt-get install chromium fonts-noto-cjk as root, or point CHROMIUM_PATH at an installed Chromium, then try again. The story itself is unchanged.',
  },
  'kitchen.print_chromium_failed': {
    'zh-CN':
      'Chromium 未能启动或在排版时崩溃（{detail}）。请检查服务器上的 Chromium（apt-get install chromium fonts-noto-cjk 可重新安装），然后重试。稿件本身未受影响。',
    en: 'Chromium would not start or crashed while printing ({detail}). Check the server’s Chromium (apt-get install chromium fonts-noto-cjk reinstalls it), then try again. The story itself is unchanged.',
  },
  'kitchen.print_render_failed': {
    'zh-CN': '印刷 PDF 生成失败（{detail}）。稿件本身未受影响，可稍后重试。',
    en: 'The print PDF could not be made ({detail}). The story itself is unchanged; try again later.',
  },
  // Issue 15, the command platform (docs/command.md): the foundation's codes; each part appends its own block below.
  'command.out_of_scope': { 'zh-CN': '该任务不在你所在工作室的范围内。', en: 'This assignment belongs to a studio you are not in.' },
  'command.assignment_not_found': { 'zh-CN': '找不到该任务。', en: 'No such assignment.' },
  'notice.assignment_offered': {
    'zh-CN': '有一个拍摄任务请你接单：「{title}」，请在 {respondByText} 前回复。',
    en: 'You are offered an assignment: “{title}”. Please reply by {respondByText}.',
  },
  'notice.lending_offered': {
    'zh-CN': '你预约的《{title}》有一本可以借了，为你保留到 {expiresText}（北京时间），请在此之前借阅。',
    en: 'A copy of “{title}” you are waiting for is yours to borrow until {expiresText} (Beijing time).',
  },
  'notice.assignment_changed': { 'zh-CN': '任务「{title}」有变化：{changeText}', en: 'Assignment “{title}” changed: {changeText}' },
  // Issue 15, part map (docs/command-map.md).
  'command.location.not_working': {
    'zh-CN': '只有正在执行该任务的人本人才能共享位置。',
    en: 'Only the person working this assignment can share their location.',
  },
  'command.location.assignment_not_active': {
    'zh-CN': '该任务当前不在执行中（{status}），无法共享位置；位置共享已停止。',
    en: 'This assignment is not under way ({status}), so no location can be shared; sharing has stopped.',
  },
  'command.location.no_consent': {
    'zh-CN': '你没有开启或已停止位置共享，位置未上传。需要时请重新开启。',
    en: 'You have not turned on location sharing, or you stopped it, so no location was sent. Turn it on again if you want to share.',
  },
  'command.location.recorded_in_future': {
    'zh-CN': '位置的时间晚于服务器当前时间，请检查手机时间设置。',
    en: 'The position is stamped in the future; check your phone’s clock.',
  },
  'command.location.recorded_too_old': {
    'zh-CN': '这个位置太旧了（早于 6 小时前或早于你开启共享的时间），未保存。',
    en: 'This position is too old (over 6 hours, or from before you turned sharing on) and was not stored.',
  },
  'command.location.too_frequent': {
    'zh-CN': '位置发送过于频繁（同一任务每 5 秒最多一条），这一条未保存。',
    en: 'Positions are coming too often (one per 5 seconds per assignment at most); this one was not stored.',
  },
  'command.location.tiles_not_configured': {
    'zh-CN': '未配置街道瓦片服务器（MAP_TILE_URL），地图只显示轮廓。',
    en: 'No street tile server is configured (MAP_TILE_URL); the map shows outlines only.',
  },
  'command.location.tile_unavailable': {
    'zh-CN': '街道瓦片服务器暂时无法访问（{status}），地图仍显示轮廓。',
    en: 'The street tile server could not be reached ({status}); the map still shows outlines.',
  },
  // Issue 15, part assign: assignments, offers, field profiles (docs/command.md).
  'command.assignment.unknown_theme': { 'zh-CN': '活动中没有主题“{theme}”。', en: 'The campaign has no theme “{theme}”.' },
  'command.assignment.bad_times': { 'zh-CN': '截止时间必须晚于开始时间。', en: 'The deadline must be after the start.' },
  'command.assignment.bad_person': {
    'zh-CN': '指派的人员（{id}）不存在、已停用，或不是拍客/记者。',
    en: 'A named person ({id}) does not exist, is disabled, or is not a contributor or staff reporter.',
  },
  'command.assignment.stale': {
    'zh-CN': '任务已被他人修改（当前版本 {version}）。请刷新后再改。',
    en: 'Someone else changed this assignment (now version {version}). Reload and make your change again.',
  },
  'command.assignment.not_draft': {
    'zh-CN': '任务已派发（状态：{status}），不能再修改。',
    en: 'The assignment has been dispatched ({status}) and can no longer be edited.',
  },
  'command.assignment.bad_transition': {
    'zh-CN': '任务处于“{from}”状态，不能执行“{action}”。',
    en: 'An assignment that is “{from}” cannot be given “{action}”.',
  },
  'command.assignment.no_candidates': {
    'zh-CN': '附近没有愿意接单且在其出行范围内的拍客。请扩大范围、改为按半径派发，或指定人员。',
    en: 'Nobody opted in near this place can travel there. Widen the radius, dispatch by radius, or name people.',
  },
  'command.assignment.not_active': { 'zh-CN': '任务已不在进行中（状态：{status}）。', en: 'The assignment is no longer active ({status}).' },
  'command.assignment.not_accepted': { 'zh-CN': '请先接受该任务，再上传素材。', en: 'Accept the assignment before uploading footage for it.' },
  'command.assignment.wrong_campaign': { 'zh-CN': '素材必须投到任务所属的活动。', en: 'Footage must go to the assignment’s campaign.' },
  'command.assignment.wrong_theme': { 'zh-CN': '该任务的素材必须选择主题“{theme}”。', en: 'Footage for this assignment must have the theme “{theme}”.' },
  'command.assignment.change.filled': { 'zh-CN': '名额已满，邀请已撤回', en: 'the places are filled; your offer is withdrawn' },
  'command.assignment.change.cancelled': { 'zh-CN': '任务已取消', en: 'it has been cancelled' },
  'command.assignment.change.completed': { 'zh-CN': '任务已完成，谢谢', en: 'it is complete; thank you' },
  'command.assignment.change.submitted': { 'zh-CN': '素材已收齐', en: 'the desk has the footage it needs' },
  'command.offer.filled': {
    'zh-CN': '来晚了一步：任务名额已满。',
    en: 'Too late: the places on this assignment are already filled.',
  },
  'command.offer.expired': { 'zh-CN': '回复时间已过，该邀请已失效。', en: 'The time to reply has passed; this offer has lapsed.' },
  'command.offer.not_open': { 'zh-CN': '该邀请已无法回复（{status}）。', en: 'This offer can no longer be answered ({status}).' },
  // Part janus (docs/command-janus.md): calls through Janus, broadcast, recordings.
  'command.janus.call_not_found': { 'zh-CN': '找不到该连线，或你不在这次连线中。', en: 'No such call, or you are not in it.' },
  'command.janus.not_janus': { 'zh-CN': '这次连线不经过媒体服务器。', en: 'This call does not go through the media server.' },
  'command.janus.call_not_live': { 'zh-CN': '这次连线已经结束。', en: 'This call is over.' },
  'command.janus.watcher_cannot_publish': { 'zh-CN': '旁观者只能收看，不能发送画面。', en: 'Watchers can only watch, not send.' },
  'command.janus.director_only': { 'zh-CN': '只有这次连线的导播可以这样做。', en: "Only the call's director can do this." },
  'command.janus.feed_not_found': { 'zh-CN': '对方的画面已不在连线中。', en: 'That picture is no longer in the call.' },
  'command.janus.not_publishing': { 'zh-CN': '此人目前没有发送画面。', en: 'This person is not sending a picture now.' },
  'command.janus.unavailable': { 'zh-CN': '媒体服务器暂时无法连接，请稍后再试。', en: 'The media server cannot be reached; try again shortly.' },
  'command.janus.rejected': { 'zh-CN': '媒体服务器拒绝了这次协商。', en: 'The media server refused this negotiation.' },
  'command.broadcast.not_found': { 'zh-CN': '没有正在进行的直播。', en: 'There is no broadcast on.' },
  'command.broadcast.no_feed': { 'zh-CN': '还没有人发送画面，无法开始直播。', en: 'Nobody is sending a picture yet; the broadcast cannot start.' },
  'command.broadcast.failed': { 'zh-CN': '直播未能开始，请重试。', en: 'The broadcast could not start; try again.' },
  // Issue 15, part live (docs/command-live.md).
  'command.chat.assignment_ended': { 'zh-CN': '该任务已结束，不能再发消息。', en: 'This assignment has ended; no more messages can be sent.' },
  'command.chat.client_id_reused': {
    'zh-CN': '这条消息的编号已用于另一个任务的消息，请刷新页面后重发。',
    en: 'This message id was already used for a message on another assignment. Reload the page and send again.',
  },
  'command.call.not_found': { 'zh-CN': '找不到该连线。', en: 'No such call.' },
  'command.call.offline': { 'zh-CN': '对方不在线。', en: 'They are not online.' },
  'command.call.busy': { 'zh-CN': '该任务已有一个正在进行的连线。', en: 'This assignment already has a call ringing or in progress.' },
  'command.call.assignment_not_active': { 'zh-CN': '任务不在进行中，不能连线。', en: 'Calls can only be made while the assignment is active.' },
  'command.call.callee_required': { 'zh-CN': '请选择要连线的一线人员。', en: 'Choose the person in the field to call.' },
  'command.call.callee_not_allowed': {
    'zh-CN': '一线人员只能呼叫后方编辑部，不能指定对象。',
    en: 'From the field a call goes to the desk; no person can be named.',
  },
  'command.call.callee_not_working': { 'zh-CN': '此人没有在执行这个任务。', en: 'This person is not working on this assignment.' },
  'command.call.not_callee': { 'zh-CN': '只有被呼叫的一方可以接听或拒绝。', en: 'Only the person being called can answer or decline.' },
  'command.call.not_participant': { 'zh-CN': '你不在这次连线中。', en: 'You are not on this call.' },
  'command.call.not_ringing': { 'zh-CN': '该连线已不在响铃（已被接听、拒绝或超时）。', en: 'This call is no longer ringing (answered, declined or missed).' },
  'command.call.ended': { 'zh-CN': '该连线已经结束。', en: 'This call has already ended.' },
  'command.call.relay_refused': {
    'zh-CN': '不能向该连线发送信令：连线未在进行，或你或对方不在其中。',
    en: 'Signalling refused: the call is not in progress, or you or the other person are not on it.',
  },
  'command.hub.bad_message': { 'zh-CN': '消息格式不正确（{detail}）。', en: 'Malformed message ({detail}).' },
  'command.hub.rate_limited': { 'zh-CN': '发送太频繁，请稍候再试。', en: 'Too many messages; slow down.' },
  'command.hub.too_many_subscriptions': { 'zh-CN': '同时关注的任务太多（最多 {max} 个）。', en: 'Too many threads open at once (at most {max}).' },
  'command.hub.websocket_required': { 'zh-CN': '此地址只接受 WebSocket 连接。', en: 'This address only takes WebSocket connections.' },
} as const satisfies Record<string, Record<Locale, string>>;

export type MessageCode = keyof typeof messages;

export function translate(code: MessageCode, locale: Locale, params: Record<string, unknown> = {}): string {
  const template = messages[code][locale];
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? String(params[k]) : `{${k}}`));
}

/** For codes stored as text (a rejection reason): unknown codes fall back to a generic message. */
export function translateAny(code: string, locale: Locale, params: Record<string, unknown> = {}): string {
  return code in messages ? translate(code as MessageCode, locale, params) : translate('media.processing_failed', locale);
}

/** Picks zh-CN or en from an Accept-Language header (q-values respected); zh-CN by default. */
export function localeFromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = rest.find((r) => r.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((x) => x.tag && !Number.isNaN(x.q) && x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return undefined;
}
