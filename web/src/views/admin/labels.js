// 中文 names of the metadata enums the 管理 pages show and edit.
export const VALUE_TYPES = { integer: '整数', number: '数值', percent: '百分比', text: '文本', boolean: '是/否' };
export const AGGREGATIONS = { sum: '求和', average: '平均', min: '最小', max: '最大', last: '取最新', none: '不汇总' };
export const KINDS = { stock: '存量（时点）', flow: '流量（时期）' };
export const PERIOD_TYPES = { month: '月报', quarter: '季报', year: '年报', once: '一次性' };
export const LEVELS = { 1: '省', 2: '市', 3: '县', 4: '镇', 5: '村' };
export const OPERATORS = ['<=', '<', '>=', '>', '==', '!='];
export const SEVERITIES = { error: '错误', warning: '提示' };

