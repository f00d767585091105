// 中文 names of the metadata enums the 管理 pages show and edit.
export const VALUE_TYPES = { integer: '整数', number: '数值', percent: '百分比', text: '文本', boolean: '是/否' };
export const AGGREGATIONS = { sum: '求和', average: '平均', min: '最小', max: '最大', last: '取最新', none: '不汇总' };
export const KINDS = { stock: '存量（时点）', flow: '流量（时期）' };
// How an indicator's months combine into a quarter, a year or 1–N月.
export const PERIOD_AGGREGATIONS = { sum: '求和', last: '期末值', average: '平均', max: '最大值' };
export const PERIOD_AGGREGATION_HINTS = {
  sum: '各月相加，如受理量、来电量（流量）',
  last: '取期末（最后有数的月份）的值，如累计注册用户数（存量）',
  average: '各月数的平均，如月活跃用户数、日均访问量；没有“累计”',
  max: '各月中的最大值，如峰值；没有“累计”',
};
export const PERIOD_TYPES = { month: '月报', quarter: '季报', year: '年报', once: '一次性' };
export const LEVELS = { 1: '省', 2: '市', 3: '县', 4: '镇', 5: '村' };
export const OPERATORS = ['<=', '<', '>=', '>', '==', '!='];
export const SEVERITIES = { error: '错误', warning: '提示' };

