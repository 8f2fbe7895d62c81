module.exports = () => require('./postgres-database').teardown();
