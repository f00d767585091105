// Routes and who may open them. Pages are loaded on first use so the filler's
// entry page does not wait for the charts of the dashboard.
import { createRouter, createWebHistory } from 'vue-router';
import { session, loadSession, hasRole } from './session.js';

const AppLayout = () => import('./layouts/AppLayout.vue');

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true, title: '登录' } },
  { path: '/dashboard', name: 'dashboard', component: () => import('./views/DashboardView.vue'),
    meta: { title: '一屏统览', roles: ['viewer', 'approver', 'admin'] } },
  {
    path: '/',
    component: AppLayout,
    children: [
      { path: '', redirect: () => homePath() },
      { path: 'tasks', name: 'tasks', component: () => import('./views/TasksView.vue'), meta: { title: '我的任务' } },
      { path: 'tasks/:task/entries/:org', name: 'entry', component: () => import('./views/EntryView.vue'),
        meta: { title: '填报' } },
      { path: 'review', name: 'review', component: () => import('./views/ReviewView.vue'),
        meta: { title: '审核', roles: ['approver', 'admin'] } },
      { path: 'analysis', name: 'analysis', component: () => import('./views/AnalysisView.vue'),
        meta: { title: '数据分析', roles: ['viewer', 'approver', 'admin'] } },
      { path: 'contacts', name: 'contacts', component: () => import('./views/ContactsView.vue'), meta: { title: '通讯录' } },
      { path: 'account', name: 'account', component: () => import('./views/AccountView.vue'), meta: { title: '账号与安全' } },
      { path: 'admin', component: () => import('./views/admin/AdminLayout.vue'), meta: { roles: ['admin'] },
        children: [
          { path: '', redirect: '/admin/tasks' },
          { path: 'indicators', name: 'admin-indicators', component: () => import('./views/admin/IndicatorsView.vue'), meta: { title: '指标', roles: ['admin'] } },
          { path: 'forms', name: 'admin-forms', component: () => import('./views/admin/FormsView.vue'), meta: { title: '报表', roles: ['admin'] } },
          { path: 'rules', name: 'admin-rules', component: () => import('./views/admin/RulesView.vue'), meta: { title: '校验规则', roles: ['admin'] } },
          { path: 'tasks', name: 'admin-tasks', component: () => import('./views/admin/TasksAdminView.vue'), meta: { title: '任务', roles: ['admin'] } },
          { path: 'orgunits', name: 'admin-orgunits', component: () => import('./views/admin/OrgUnitsView.vue'), meta: { title: '单位', roles: ['admin'] } },
          { path: 'users', name: 'admin-users', component: () => import('./views/admin/UsersView.vue'), meta: { title: '用户', roles: ['admin'] } },
          { path: 'audit', name: 'admin-audit', component: () => import('./views/admin/AuditView.vue'), meta: { title: '审计日志', roles: ['admin'] } },
        ] },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue'), meta: { title: '页面不存在' } },
    ],
  },
];

// Where a user lands after signing in: fillers on their tasks, approvers on
// what waits for them, viewers on the figures.
export function homePath() {
  if (hasRole('filler')) return '/tasks';
  if (hasRole('approver')) return '/review';
  if (hasRole('admin')) return '/tasks';
  if (hasRole('viewer')) return '/analysis';
  return '/tasks';
}

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  if (!session.loaded) {
    // Fetch the page's code while the session loads, not after (the first
    // render of 一屏统览 is measured in bench/web).
    for (const record of to.matched) {
      const load = record.components?.default;
      if (typeof load === 'function') load().catch(() => {});
    }
    await loadSession();
  }
  if (to.meta.public) return true;
  if (!session.user) return { name: 'login', query: { redirect: to.fullPath } };
  if (session.mustChangePassword) return { name: 'login', query: { redirect: to.fullPath, change: '1' } };
  const roles = to.matched.flatMap((r) => r.meta.roles || []);
  if (roles.length && !hasRole(...roles)) return homePath() === to.path ? true : homePath();
  return true;
});

router.afterEach((to) => {
  document.title = (to.meta.title ? to.meta.title + ' · ' : '') + '填报';
});
