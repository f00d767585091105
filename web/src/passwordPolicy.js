// The server's password policy (src/model/security.cc), checked as the user
// types so the rules are visible before submitting. The server still decides.
export function passwordProblems(password, username) {
  const problems = [];
  if (password.length < 8) problems.push('至少 8 个字符');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) problems.push('小写字母、大写字母、数字、其他符号中至少包含 3 类');
  if (username && password.toLowerCase() === username.toLowerCase()) problems.push('不能与用户名相同');
  return problems;
}

// The rules in the order pages list them, each ticked when passwordProblems() no longer names it.
export const PASSWORD_RULES = ['至少 8 个字符', '小写字母、大写字母、数字、其他符号中至少包含 3 类', '不能与用户名相同'];
export function passwordChecklist(password, username) {
  const problems = passwordProblems(password, username);
  return PASSWORD_RULES.map((text) => ({ text, ok: password !== '' && !problems.includes(text) }));
}
